import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftmaxError } from 'softmax';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportError } from '../src/exit.js';
import { runCli } from './run-cli.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softmax-cli-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the program', () => {
  it('lists its commands in --help (exit 0) and shows help on stderr with exit 2 when given none', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['apply', 'bench', 'report']) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage: softmax [options] [command]');
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('reports an unknown command or option as one line with exit 2', async () => {
    expect(await runCli(['frobnicate'])).toEqual({ code: 2, stdout: '', stderr: "softmax: unknown command 'frobnicate'\n" });
    expect(await runCli(['apply', '--fast'])).toEqual({ code: 2, stdout: '', stderr: "softmax: unknown option '--fast'\n" });
  });
});

describe('reportError', () => {
  const collect = () => {
    let text = '';
    return { stream: { write: (s: string) => (text += s) }, text: () => text };
  };

  it('maps input errors to exit 2 and everything else to exit 1 (internal)', () => {
    const a = collect();
    expect(reportError(new SoftmaxError('E_SHAPE', 'dims: bad'), a.stream)).toBe(2);
    expect(a.text()).toBe('softmax: dims: bad\n');
    const b = collect();
    expect(reportError(new TypeError('x is undefined'), b.stream)).toBe(1);
    expect(b.text()).toBe('softmax: internal error: x is undefined\n');
    const c = collect();
    expect(reportError(new SoftmaxError('E_STATE', 'freed'), c.stream)).toBe(1);
    expect(c.text()).toBe('softmax: internal error: freed\n');
  });

  it('adds the stack trace in debug mode', () => {
    const d = collect();
    reportError(new Error('boom'), d.stream, true);
    expect(d.text()).toMatch(/^softmax: internal error: boom\nError: boom\n\s+at /);
  });
});

describe('bench and report', () => {
  it('reject an unknown suite before running anything (exit 2)', async () => {
    for (const command of ['bench', 'report']) {
      const run = await runCli([command, '--only', 'softmax,nope', '--out', join(dir, command)]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^softmax: unknown suite nope \(known: .*softmax.*\)\n$/);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('report --quick writes index.html, prints the summary and the path; progress goes to stderr', async () => {
    const out = join(dir, 'report');
    const run = await runCli(['report', '--quick', '--only', 'topk', '--out', out]);
    expect(run.code).toBe(0);
    expect(await readdir(out)).toEqual(['index.html']);
    expect(await readFile(join(out, 'index.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    expect(run.stdout).toMatch(/\[topk, quick\]/);
    expect(run.stdout.endsWith(`\nreport: ${join(out, 'index.html')}\n`)).toBe(true);
    expect(run.stderr).toMatch(/^\[ {2}0%\] suite 0\/1 /);
  });

  it('bench --quick writes one results JSON per suite to --out', async () => {
    const out = join(dir, 'results');
    const run = await runCli(['bench', '--quick', '--only', 'topk', '--out', out]);
    expect(run.code).toBe(0);
    expect(await readdir(out)).toEqual(['topk.json']);
    const result = JSON.parse(await readFile(join(out, 'topk.json'), 'utf8')) as { suite: string; mode: string };
    expect(result).toMatchObject({ suite: 'topk', mode: 'quick' });
    expect(run.stdout).toContain(`results: ${join(out, 'topk.json')}`);
  });
});
