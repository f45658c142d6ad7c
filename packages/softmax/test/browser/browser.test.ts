import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The core entry must run in evergreen browsers: load the built ES modules (dist/, built by `npm test`'s
// pretest) in headless Chromium, call softmax before and after ready(), and read the result from the
// page. Skipped where no Chromium is installed (.ci/run installs Debian's chromium when it can).
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const PAGE = `<!doctype html><html><body><pre id="out">loading</pre><script type="module">
import { softmax, ready, backendInfo, sparsemax, logSumExp } from './dist/index.js';
const before = Array.from(softmax(new Float32Array([1, 2, 3])));
await ready();
const after = Array.from(softmax(new Float32Array([1, 2, 3])));
document.getElementById('out').textContent = JSON.stringify({ before, after, info: backendInfo(), sparsemax: Array.from(sparsemax([1, 2, 3])), lse: logSumExp([1, 2, 3]) });
</script></body></html>`;
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

describe.skipIf(!CHROMIUM || !existsSync(join(DIST, 'index.js')))('browser (headless Chromium)', () => {
  let server: Server;
  let port = 0;
  let profile = '';
  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), 'softmax-chromium-'));
    server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (url === '/' || url === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        return;
      }
      const path = normalize(join(DIST, url.replace(/^\/dist\//, '')));
      if (!url.startsWith('/dist/') || !path.startsWith(DIST)) {
        res.writeHead(404).end();
        return;
      }
      readFile(path).then(
        (body) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(profile, { recursive: true, force: true });
  });

  it('computes softmax with the reference kernels before ready() and WebAssembly SIMD after', async () => {
    const { stdout } = await promisify(execFile)(CHROMIUM!, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--virtual-time-budget=10000',
      '--dump-dom', `http://127.0.0.1:${port}/`,
    ], { timeout: 60_000 });
    const json = /<pre id="out">([^<]*)<\/pre>/.exec(stdout)?.[1];
    expect(json, stdout.slice(0, 500)).toBeDefined();
    const result = JSON.parse(json!.replace(/&quot;/g, '"'));
    // softmax([1, 2, 3]) = e^i / (e + e² + e³): 0.0900306, 0.2447285, 0.6652410.
    const want = [0.09003057317038046, 0.24472847105479764, 0.6652409557748219];
    for (const row of [result.before, result.after]) row.forEach((v: number, i: number) => expect(Math.abs(v - want[i])).toBeLessThan(2e-7));
    expect(result.info.float32).toBe('wasm-simd');
    expect(result.sparsemax).toEqual([0, 0, 1]);
    expect(result.lse).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), 12);
  });
});
