import { describe, expect, it } from 'vitest';
import type { AttentionHeadArgs, Backend } from '../../src/kernels/backend.js';
import { referenceBackend } from '../../src/kernels/reference/backend.js';
import { createWasmBackend } from '../../src/kernels/wasm/wasmBackend.js';
import { allocate } from '../../src/kernels/wasm/allocate.js';
import type { FloatArray } from '../../src/tensor/types.js';
import { rng } from '../ops/helpers.js';
import { wasm, wasmExports } from './wasmHelpers.js';

/** One head's inputs in float64 (values representable in float32), with offsets and mask placement. */
interface Head {
  lq: number;
  lk: number;
  d: number;
  dv: number;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  off: { q: number; k: number; v: number; o: number; l: number; m: number };
  mask: Float64Array | null;
  maskRowStride: number;
  scale: number;
  causalOffset: number;
}

const f32 = (x: number) => Math.fround(x);

function makeHead(r: () => number, lq: number, lk: number, d: number, dv: number,
  opts: { causalOffset?: number; mask?: 'none' | 'rows' | 'broadcast' | 'padded'; spread?: number } = {}): Head {
  const spread = opts.spread ?? 2;
  const off = { q: 1, k: 2, v: 3, o: 2, l: 1, m: 3 };
  const fill = (n: number, lead: number) => Float64Array.from({ length: lead + n }, () => f32((r() * 2 - 1) * spread));
  const kind = opts.mask ?? 'none';
  let mask: Float64Array | null = null;
  let maskRowStride = 0;
  if (kind !== 'none') {
    maskRowStride = kind === 'broadcast' ? 0 : kind === 'padded' ? lk + 5 : lk;
    const rows = kind === 'broadcast' ? 1 : lq;
    mask = Float64Array.from({ length: off.m + rows * Math.max(maskRowStride, lk) }, () => (r() < 0.3 ? -Infinity : f32(r() * 3 - 1)));
  }
  return {
    lq, lk, d, dv, q: fill(lq * d, off.q), k: fill(lk * d, off.k), v: fill(lk * dv, off.v), off, mask, maskRowStride,
    scale: 1 / Math.sqrt(Math.max(d, 1)), causalOffset: opts.causalOffset ?? Infinity,
  };
}

/**
 * The definition, materialised in float64: S = scale·QKᵀ + mask with causally excluded keys at −∞,
 * P = softmax(S) row-wise, O = P·V, lse = ln Σ exp(S). Rows with no kept key: O = 0, lse = −∞.
 */
function naive(h: Head): { o: Float64Array; lse: Float64Array } {
  const o = new Float64Array(h.lq * h.dv);
  const lse = new Float64Array(h.lq);
  for (let i = 0; i < h.lq; i++) {
    const s = new Float64Array(h.lk);
    for (let j = 0; j < h.lk; j++) {
      if (j > i + h.causalOffset) {
        s[j] = -Infinity;
        continue;
      }
      let dot = 0;
      for (let p = 0; p < h.d; p++) dot += h.q[h.off.q + i * h.d + p] * h.k[h.off.k + j * h.d + p];
      s[j] = h.scale * dot + (h.mask ? h.mask[h.off.m + i * h.maskRowStride + j] : 0);
    }
    let m = -Infinity;
    let nan = false;
    for (const x of s) {
      if (Number.isNaN(x)) nan = true;
      m = Math.max(m, x);
    }
    if (nan) {
      o.fill(NaN, i * h.dv, (i + 1) * h.dv);
      lse[i] = NaN;
      continue;
    }
    if (m === -Infinity) {
      lse[i] = -Infinity;
      continue;
    }
    let l = 0;
    for (const x of s) l += Math.exp(x - m);
    for (let j = 0; j < h.lk; j++) {
      const p = Math.exp(s[j] - m) / l;
      if (p === 0) continue;
      for (let c = 0; c < h.dv; c++) o[i * h.dv + c] += p * h.v[h.off.v + j * h.dv + c];
    }
    lse[i] = m + Math.log(l);
  }
  return { o, lse };
}

function run(backend: Backend, h: Head, type: 'f32' | 'f64', withLse = true): { o: FloatArray; lse: FloatArray } {
  const make = (x: Float64Array | number) => (type === 'f32' ? new Float32Array(x as never) : new Float64Array(x as never));
  const o = make(h.off.o + h.lq * h.dv).fill(-7);
  const lse = make(h.off.l + h.lq).fill(-7);
  const args: AttentionHeadArgs = {
    q: make(h.q), qo: h.off.q, k: make(h.k), ko: h.off.k, v: make(h.v), vo: h.off.v, o, oo: h.off.o,
    lse: withLse ? lse : null, lo: h.off.l, lq: h.lq, lk: h.lk, d: h.d, dv: h.dv, scale: h.scale, causalOffset: h.causalOffset,
    mask: h.mask ? make(h.mask) : null, mo: h.off.m, maskRowStride: h.maskRowStride,
  };
  backend.attentionHead(args);
  return { o: o.subarray(h.off.o), lse: lse.subarray(h.off.l) };
}

/**
 * |got − want| ≤ tol·(scaleOf + |want|); ±∞ and NaN exactly; rows with no kept key exactly 0 / −∞.
 * scaleOf is the largest |v| (outputs are convex combinations of rows of V).
 */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, scaleOf: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    const ok = Number.isFinite(w) ? Math.abs(g - w) <= tol * (scaleOf + Math.abs(w)) : Object.is(g, w);
    if (!ok) expect.fail(`${what}[${i}]: got ${g}, want ${w}`);
  }
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (const v of x) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

function check(h: Head, what: string): void {
  const want = naive(h);
  const vmax = maxAbs(h.v);
  const ref64 = run(referenceBackend, h, 'f64');
  expectClose(ref64.o, want.o, 1e-12, vmax, `reference f64 o ${what}`);
  expectClose(ref64.lse, want.lse, 1e-12, 1, `reference f64 lse ${what}`);
  const ref32 = run(referenceBackend, h, 'f32');
  expectClose(ref32.o, want.o, 2e-7, vmax, `reference f32 o ${what}`);
  const w32 = run(wasm, h, 'f32');
  expectClose(w32.o, want.o, 3e-6, vmax, `wasm o ${what}`);
  expectClose(w32.lse, want.lse, 2e-6, 1, `wasm lse ${what}`);
}

const SHAPES: [number, number, number, number][] = [
  [0, 5, 3, 3], [1, 1, 1, 1], [3, 0, 4, 4], [5, 17, 3, 7], [17, 65, 16, 64], [33, 130, 64, 64], [4, 200, 1, 9],
  [65, 63, 5, 0], [16, 64, 0, 5], [2, 129, 33, 12], [19, 7, 8, 3], [133, 70, 8, 8],
];

describe('attentionHead: WebAssembly SIMD and reference vs materialised softmax(QKᵀ)V', () => {
  it('agrees on awkward lq, lk, d, dv with causal offsets (negative, bottom-right) and masks', () => {
    const r = rng(31);
    let cases = 0;
    for (const [lq, lk, d, dv] of SHAPES) {
      for (const causalOffset of [Infinity, 0, -1, -3, 2, lk - lq, -lq - 5]) {
        for (const mask of ['none', 'rows', 'broadcast', 'padded'] as const) {
          check(makeHead(r, lq, lk, d, dv, { causalOffset, mask }), `lq=${lq} lk=${lk} d=${d} dv=${dv} causal=${causalOffset} mask=${mask}`);
          cases++;
        }
      }
    }
    expect(cases).toBe(SHAPES.length * 28);
  });

  it('rows with no kept key give o = 0 and lse = −∞, never NaN', () => {
    const r = rng(4);
    for (const backend of [wasm, referenceBackend]) {
      // Fully −∞ mask rows 0 and 2; causal offset −1 also empties row 0.
      const h = makeHead(r, 6, 70, 8, 10, { mask: 'rows', causalOffset: 10 });
      h.mask!.fill(-Infinity, h.off.m, h.off.m + h.lk);
      h.mask!.fill(-Infinity, h.off.m + 2 * h.lk, h.off.m + 3 * h.lk);
      const { o, lse } = run(backend, h, 'f32');
      for (const i of [0, 2]) {
        expect(Array.from(o.subarray(i * 10, i * 10 + 10))).toEqual(new Array(10).fill(0));
        expect(lse[i]).toBe(-Infinity);
      }
      expect(Array.from(o).some(Number.isNaN)).toBe(false);
      const h2 = makeHead(r, 5, 9, 4, 4, { causalOffset: -5 });
      const z = run(backend, h2, 'f32');
      expect(Array.from(z.o)).toEqual(new Array(20).fill(0));
      expect(Array.from(z.lse)).toEqual(new Array(5).fill(-Infinity));
    }
  });

  it('huge scores (±1e30 after scale) select the maximum key; lse stays finite', () => {
    const r = rng(8);
    const h = makeHead(r, 9, 70, 1, 6);
    h.scale = 1;
    for (let i = 0; i < h.lq; i++) h.q[h.off.q + i] = f32(i % 2 ? 1e15 : -1e15);
    for (let j = 0; j < h.lk; j++) h.k[h.off.k + j] = f32((j % 7) * 1e15 - 3e15);
    check(h, 'huge');
    const { o } = run(wasm, h, 'f32');
    expect(Array.from(o).every(Number.isFinite)).toBe(true);
  });

  it('NaN reaches exactly the rows whose kept keys see it', () => {
    const r = rng(12);
    for (const backend of [wasm, referenceBackend]) {
      const h = makeHead(r, 8, 40, 6, 5, { causalOffset: 30 });
      h.q[h.off.q + 3 * h.d + 2] = NaN; // row 3
      h.k[h.off.k + 35 * h.d + 1] = NaN; // key 35: kept by rows i ≥ 5
      const { o, lse } = run(backend, h, 'f32');
      for (let i = 0; i < h.lq; i++) {
        const nan = i === 3 || i >= 5;
        expect(Number.isNaN(lse[i]), `row ${i}`).toBe(nan);
        expect(Array.from(o.subarray(i * 5, i * 5 + 5)).every(Number.isNaN), `row ${i}`).toBe(nan);
      }
      check(h, 'nan');
    }
  });

  it('lse = null writes only o; zero-copy arrays give the same bits as staged ones', () => {
    const r = rng(2);
    const h = makeHead(r, 21, 77, 12, 9, { mask: 'rows', causalOffset: 60 });
    const staged = run(wasm, h, 'f32');
    const noLse = run(wasm, h, 'f32', false);
    expect(Array.from(noLse.o)).toEqual(Array.from(staged.o));
    const put = (x: Float64Array) => {
      const a = allocate(x.length);
      a.data.set(x);
      return a;
    };
    const [q, k, v, mask] = [put(h.q), put(h.k), put(h.v), put(h.mask!)];
    const o = allocate(h.off.o + h.lq * h.dv);
    const lse = new Float32Array(h.off.l + h.lq);
    wasm.attentionHead({
      q: q.data, qo: h.off.q, k: k.data, ko: h.off.k, v: v.data, vo: h.off.v, o: o.data, oo: h.off.o, lse, lo: h.off.l,
      lq: h.lq, lk: h.lk, d: h.d, dv: h.dv, scale: h.scale, causalOffset: h.causalOffset, mask: mask.data, mo: h.off.m,
      maskRowStride: h.maskRowStride,
    });
    expect(Array.from(o.data.subarray(h.off.o))).toEqual(Array.from(staged.o));
    expect(Array.from(lse.subarray(h.off.l))).toEqual(Array.from(staged.lse));
    for (const a of [q, k, v, mask, o]) a.free();
  });

  it('zero-copy o and lse stay right when module memory grows during the call', () => {
    const r = rng(6);
    const h = makeHead(r, 7, 30, 8, 5);
    const staged = run(wasm, h, 'f32');
    // The kernel may grow memory (its workspace), which detaches the caller's views: simulate it.
    const growing = createWasmBackend({
      ...wasmExports,
      attentionHeadF32: (...args: Parameters<typeof wasmExports.attentionHeadF32>) => {
        wasmExports.attentionHeadF32(...args);
        wasmExports.memory.grow(1);
      },
    });
    const put = (x: Float64Array) => {
      const a = allocate(x.length);
      a.data.set(x);
      return a;
    };
    const [q, k, v] = [put(h.q), put(h.k), put(h.v)];
    const o = allocate(h.off.o + h.lq * h.dv);
    const lse = allocate(h.off.l + h.lq);
    const before = wasmExports.memory.buffer;
    growing.attentionHead({
      q: q.data, qo: h.off.q, k: k.data, ko: h.off.k, v: v.data, vo: h.off.v, o: o.data, oo: h.off.o, lse: lse.data, lo: h.off.l,
      lq: h.lq, lk: h.lk, d: h.d, dv: h.dv, scale: h.scale, causalOffset: Infinity, mask: null, mo: 0, maskRowStride: 0,
    });
    expect(wasmExports.memory.buffer).not.toBe(before);
    expect(Array.from(o.data.subarray(h.off.o))).toEqual(Array.from(staged.o));
    expect(Array.from(lse.data.subarray(h.off.l))).toEqual(Array.from(staged.lse));
    for (const a of [q, k, v, o, lse]) a.free();
  });
});
