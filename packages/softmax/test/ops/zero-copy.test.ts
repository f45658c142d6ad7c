/**
 * Zero-copy float32 arrays (`allocate`): inputs and outputs that live in the WebAssembly memory. The
 * library documents that `.data` is re-created after the memory grows; the ops themselves must not hold
 * a view across their own scratch allocations. Expected values come from the shifted float64 formula
 * p_i = exp(x_i − m)/Σ_j exp(x_j − m), written out here.
 *
 * The first test must stay first: it relies on this file's fresh WebAssembly instance (vitest runs each
 * file in its own process), whose initial 1 MiB memory the input nearly fills.
 */
import { describe, expect, it } from 'vitest';
import { allocate, backendInfo, crossEntropy, logSoftmax, logSumExp, softmax, softmaxTopK } from '../../src/index.js';
import type { Algorithm } from '../../src/index.js';
import { expectClose, expectNear, refLogSumExp } from './helpers.js';

function shiftedSoftmax(x: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]);
  let d = 0;
  for (let i = 0; i < x.length; i++) d += Math.exp(x[i] - m);
  return Float64Array.from(x, (v) => Math.exp(v - m) / d);
}

/** A deterministic pattern in [−4, 4). */
function fill(a: Float32Array, seed = 1): void {
  for (let i = 0; i < a.length; i++) a[i] = (((i * 7919 + seed * 104729) % 8000) - 4000) / 1000;
}

describe('zero-copy arrays', () => {
  it('logSumExp of a zero-copy tensor survives its own scratch allocation growing the memory', () => {
    expect(backendInfo().float32).toBe('wasm-simd');
    // 16384 rows of 14: 917 504 bytes, most of the initial 1 MiB; the op then needs 128 KiB of scratch
    // for the per-row results, which grows the memory (and detaches every view on it).
    const rows = 16384;
    const n = 14;
    const a = allocate(rows * n);
    const x = a.data;
    for (let i = 0; i < x.length; i++) x[i] = (i % n) / 10;
    // Every row is [0, 0.1, …, 1.3]: log Σ_j e^(j/10).
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(j / 10);
    const r = logSumExp({ data: a.data, dims: [rows, n] });
    expect(r.dims).toEqual([rows]);
    expectNear(r.data[0], Math.log(s), 0, 2e-6 * Math.log(s));
    expectNear(r.data[rows - 1], Math.log(s), 0, 2e-6 * Math.log(s));
    a.free();
  });

  it('softmax and logSoftmax of a zero-copy row longer than the whole memory, into an ordinary array', () => {
    // The staging copy of a row this long cannot fit in the current memory: the op must grow it.
    const probe = allocate(1);
    const memoryBytes = probe.data.buffer.byteLength;
    probe.free();
    const n = Math.max(16385, Math.ceil(memoryBytes / 4) + 4096);
    for (const op of ['softmax', 'logSoftmax'] as const) {
      const a = allocate(n);
      fill(a.data, 3);
      const copy = Float64Array.from(a.data);
      const want = shiftedSoftmax(copy);
      if (op === 'softmax') {
        const y = softmax(a.data);
        expect(y).toBeInstanceOf(Float32Array);
        expectClose(y.subarray(0, 64), want.subarray(0, 64), 2e-6, 0, 'softmax');
      } else {
        const y = logSoftmax(a.data);
        expectClose(y.subarray(0, 64), Array.from(want.subarray(0, 64), Math.log), 0, 2e-6 * 10, 'logSoftmax');
      }
      a.free();
    }
  });

  it.each(['auto', 'three-pass', 'two-pass', 'online'] as Algorithm[])('softmax from and into zero-copy arrays, short and long rows (%s)', (algorithm) => {
    for (const [rows, n] of [[3, 37], [1, 20000]]) {
      const a = allocate(rows * n);
      const b = allocate(rows * n);
      fill(a.data, n);
      const copy = Float64Array.from(a.data);
      const y = softmax({ data: a.data, dims: [rows, n] }, { algorithm, out: b.data });
      expect(y.data).toBe(b.data);
      for (let r = 0; r < rows; r++) {
        const want = shiftedSoftmax(copy.subarray(r * n, (r + 1) * n));
        const m = Math.min(n, 40);
        expectClose(b.data.subarray(r * n, r * n + m), want.subarray(0, m), 2e-6, 1e-37, `rows=${rows} n=${n}`);
      }
      // In place on the zero-copy array itself.
      softmax({ data: a.data, dims: [rows, n] }, { algorithm, out: a.data });
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      a.free();
      b.free();
    }
  });

  it('softmaxTopK, logSumExp, and crossEntropy with its gradient on zero-copy logits', () => {
    const n = 300;
    const a = allocate(2 * n);
    fill(a.data, 5);
    const copy = Float64Array.from(a.data);
    const row0 = copy.subarray(0, n);
    const p0 = shiftedSoftmax(row0);
    const order = Array.from(p0.keys()).sort((i, j) => p0[j] - p0[i] || i - j);
    const top = softmaxTopK(a.data.subarray(0, n), 5);
    expect(Array.from(top.indices)).toEqual(order.slice(0, 5));
    expectClose(top.values, order.slice(0, 5).map((i) => p0[i]), 2e-6);
    expectNear(logSumExp(a.data.subarray(0, n)), refLogSumExp(row0), 0, 2e-6 * 10);
    // Row 0 label 7, row 1 label 299: loss_r = log Σ e^(z_r) − z_r[y_r].
    const lse = [refLogSumExp(row0), refLogSumExp(copy.subarray(n))];
    const want = (lse[0] - copy[7] + lse[1] - copy[n + 299]) / 2;
    expectNear(crossEntropy({ data: a.data, dims: [2, n] }, [7, 299]) as number, want, 0, 2e-6 * Math.abs(want));
    const g = crossEntropy.vjp(0, 1, { x: { data: a.data, dims: [2, n] }, labels: [7, 299] }) as { data: Float32Array };
    // d mean / dz_r = (softmax(z_r) − onehot(y_r)) / 2
    expectNear(g.data[7], (p0[7] - 1) / 2, 0, 1e-6);
    expectNear(g.data[8], p0[8] / 2, 1e-5, 1e-9);
    a.free();
  });
});
