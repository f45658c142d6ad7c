import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { collectGarbage } from '../../harness/gc.js';
import { wasmMemoryBytes } from '../../peers/library-info.js';
import type { MemoryMeasurement } from '../../results/result-types.js';

type Usage = Pick<NodeJS.MemoryUsage, 'rss' | 'arrayBuffers' | 'external'>;

function measurement(name: string, before: Usage, after: Usage, wasmDelta: number): MemoryMeasurement {
  const arrayBuffersDeltaBytes = after.arrayBuffers - before.arrayBuffers;
  const externalDeltaBytes = after.external - before.external;
  const rssDeltaBytes = after.rss - before.rss;
  return {
    name,
    peakExtraBytes: Math.max(0, arrayBuffersDeltaBytes, externalDeltaBytes, wasmDelta, rssDeltaBytes),
    rssDeltaBytes,
    arrayBuffersDeltaBytes,
    externalDeltaBytes,
    wasmMemoryDeltaBytes: wasmDelta,
    theoretical: false,
  };
}

/**
 * Memory one (possibly asynchronous) call adds in this process: the growth of arrayBuffers, external,
 * our WebAssembly memory and rss, read after a collection and right after the call, before anything
 * it allocated can be collected. Native peers (onnxruntime's arena, the tfjs-wasm heap) show in rss;
 * each growth is a lower bound of the true peak, the largest is reported. Meant for the first call of
 * a fresh session, so the peer's own pools have not yet been sized by an earlier call.
 */
export async function probeCall<T>(name: string, call: () => T | Promise<T>): Promise<{ result: T; memory: MemoryMeasurement }> {
  collectGarbage();
  const before = process.memoryUsage();
  const wasmBefore = wasmMemoryBytes();
  const result = await call();
  const after = process.memoryUsage();
  return { result, memory: measurement(name, before, after, wasmMemoryBytes() - wasmBefore) };
}

/** What the worker posts back. */
interface WorkerReport {
  error?: string;
  before?: Usage;
  after?: Usage;
  wasmBefore?: number;
  wasmAfter?: number;
  outputLength?: number;
}

/**
 * Runs in a fresh worker thread: its own isolate and its own instance of the library's WebAssembly
 * memory, so the growth of that memory is what this one call needed, not what earlier (larger or
 * smaller) calls in the main thread happened to reserve. Inputs are filled before the measurement.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const v8 = require('node:v8');
const vm = require('node:vm');
(async () => {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    const lib = await import(workerData.moduleUrl);
    await lib.ready();
    const { batch, heads, lq, lk, d, causal } = workerData;
    const fill = (n, seed) => { const x = new Float32Array(n); let s = seed >>> 0; for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = s / 2147483648 - 1; } return x; };
    const tensor = (data, length) => ({ data, dims: [batch, heads, length, d] });
    const q = tensor(fill(batch * heads * lq * d, 1), lq), k = tensor(fill(batch * heads * lk * d, 2), lk), v = tensor(fill(batch * heads * lk * d, 3), lk);
    const wasm = () => { if (lib.backendInfo().float32 !== 'wasm-simd') return 0; const p = lib.allocate(1); const n = p.data.buffer.byteLength; p.free(); return n; };
    // Warm the code paths on a tiny problem so first-use set-up is not counted.
    const t = (length) => ({ data: fill(batch * heads * length * d, 4), dims: [batch, heads, length, d] });
    lib.attention(t(2), t(2), t(2), { causal });
    gc();
    const pick = (m) => ({ rss: m.rss, arrayBuffers: m.arrayBuffers, external: m.external });
    const before = pick(process.memoryUsage());
    const wasmBefore = wasm();
    const out = lib.attention(q, k, v, { causal });
    const after = pick(process.memoryUsage());
    const wasmAfter = wasm();
    parentPort.postMessage({ before, after, wasmBefore, wasmAfter, outputLength: out.data.length });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
})();
`;

/** The built library the worker imports (a worker cannot load the TypeScript sources tests alias). */
function libraryUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('softmax')).href;
}

/**
 * Extra memory of one `attention` call (softmax, flash path) of the given shape, measured in a fresh
 * worker thread (see WORKER_SOURCE). Rejects with the worker's error (e.g. a library build without
 * `attention`), so the caller can fall back to an in-process probe and say so.
 */
export function probeOursInWorker(name: string, shape: { batch: number; heads: number; lq: number; lk: number; d: number; causal: boolean }): Promise<MemoryMeasurement> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...shape, moduleUrl: libraryUrl() } });
    worker.once('message', (report: WorkerReport) => {
      void worker.terminate();
      if (report.error !== undefined || report.before === undefined || report.after === undefined) {
        reject(new Error(report.error ?? 'worker reported no measurement'));
        return;
      }
      const m = measurement(name, report.before, report.after, (report.wasmAfter ?? 0) - (report.wasmBefore ?? 0));
      // rss is process-wide: other threads' activity shows in it, so it is kept for the table but the
      // peak is taken from this isolate's own counters and its WebAssembly memory.
      m.peakExtraBytes = Math.max(0, m.arrayBuffersDeltaBytes, m.externalDeltaBytes, m.wasmMemoryDeltaBytes);
      resolve(m);
    });
    worker.once('error', (error) => reject(error));
  });
}
