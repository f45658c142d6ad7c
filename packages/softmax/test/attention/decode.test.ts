/**
 * attendDecode (FlashDecoding split-KV + exact lse merge, FlashDecoding++ unified max) and decodeMerge,
 * against a direct, materialised float64 softmax(Q·Kᵀ·scale + mask)·V over the valid cache.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/kernels/dispatch.js';
import { attendDecode, type AttendDecodeOptions } from '../../src/attention/attendDecode.js';
import { decodeMerge } from '../../src/attention/decodeMerge.js';
import type { FloatArray, TensorLike } from '../../src/tensor/types.js';
import { expectClose, expectSoftmaxError, rng } from '../ops/helpers.js';

interface Sizes {
  batch: number;
  qHeads: number;
  kvHeads: number;
  lq: number;
  capacity: number;
  d: number;
  dv: number;
}

interface Case {
  s: Sizes;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
}

/** Random q, kCache, vCache in [−amp, amp) (values and keys), seeded. */
function makeCase(s: Sizes, seed: number, amp = 2): Case {
  const rand = rng(seed);
  const fill = (n: number) => Float64Array.from({ length: n }, () => amp * (2 * rand() - 1));
  return {
    s,
    q: fill(s.batch * s.qHeads * s.lq * s.d),
    k: fill(s.batch * s.kvHeads * s.capacity * s.d),
    v: fill(s.batch * s.kvHeads * s.capacity * s.dv),
  };
}

const f32 = (x: Float64Array) => Float32Array.from(x);
function tensors<T extends FloatArray>(c: Case, conv: (x: Float64Array) => T) {
  const { s } = c;
  return {
    q: { data: conv(c.q), dims: [s.batch, s.qHeads, s.lq, s.d] },
    k: { data: conv(c.k), dims: [s.batch, s.kvHeads, s.capacity, s.d] },
    v: { data: conv(c.v), dims: [s.batch, s.kvHeads, s.capacity, s.dv] },
  };
}
const t64 = (c: Case) => tensors(c, (x) => x.slice());
const t32 = (c: Case) => tensors(c, f32);

/** Additive mask entry of (b, h, i, j); −∞ = masked. */
type MaskFn = (b: number, h: number, i: number, j: number) => number;

/**
 * Independent float64 reference: for every (b, h, i) the full score row over j < length (causal:
 * j ≤ i + length − Lq), softmax by max subtraction, then Σ p_j v_j; lse = m + ln Σ e^(s − m).
 * Reads the arrays as given (float32 values are exact in float64). Kv head of h: ⌊h / (qHeads/kvHeads)⌋.
 */
function reference(c: { s: Sizes; q: ArrayLike<number>; k: ArrayLike<number>; v: ArrayLike<number> }, length: number,
  opts: { scale?: number; causal?: boolean; mask?: MaskFn } = {}): { out: Float64Array; lse: Float64Array } {
  const { batch, qHeads, kvHeads, lq, capacity, d, dv } = c.s;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const causal = opts.causal ?? lq > 1;
  const out = new Float64Array(batch * qHeads * lq * dv);
  const lse = new Float64Array(batch * qHeads * lq);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < qHeads; h++) {
      const kv = Math.floor(h / (qHeads / kvHeads));
      for (let i = 0; i < lq; i++) {
        const row = (b * qHeads + h) * lq + i;
        const scores: number[] = [];
        for (let j = 0; j < length; j++) {
          if (causal && j > i + length - lq) {
            scores.push(-Infinity);
            continue;
          }
          let dot = 0;
          for (let t = 0; t < d; t++) dot += c.q[row * d + t] * c.k[((b * kvHeads + kv) * capacity + j) * d + t];
          scores.push(scale * dot + (opts.mask ? opts.mask(b, h, i, j) : 0));
        }
        const m = Math.max(-Infinity, ...scores);
        if (m === -Infinity) {
          lse[row] = -Infinity;
          continue;
        }
        let sum = 0;
        const acc = new Float64Array(dv);
        scores.forEach((sj, j) => {
          const p = Math.exp(sj - m);
          sum += p;
          for (let t = 0; t < dv; t++) acc[t] += p * c.v[((b * kvHeads + kv) * capacity + j) * dv + t];
        });
        for (let t = 0; t < dv; t++) out[row * dv + t] = acc[t] / sum;
        lse[row] = m + Math.log(sum);
      }
    }
  }
  return { out, lse };
}

const TOL64 = 1e-12;
/** float32 results: chunk outputs are rounded to float32 before the float64 merge; float32 GEMMs on the unified path. */
const TOL32 = 1e-6;
/** Both precisions with their tolerances, typed as plain tensors (for loops over the two). */
const BOTH: readonly [(c: Case) => { q: TensorLike; k: TensorLike; v: TensorLike }, number][] = [[t64, TOL64], [t32, TOL32]];

function expectMatches(got: { data: FloatArray; lse?: { data: FloatArray } }, want: { out: Float64Array; lse: Float64Array }, tol: number, label: string) {
  expectClose(got.data, want.out, tol, tol, `${label} out`);
  if (got.lse) expectClose(got.lse.data, want.lse, tol, tol, `${label} lse`);
}

afterEach(() => setBackend('auto'));

describe('attendDecode: exact split-KV path (FlashDecoding)', () => {
  const s: Sizes = { batch: 2, qHeads: 4, kvHeads: 2, lq: 1, capacity: 40, d: 8, dv: 5 };
  const c = makeCase(s, 1);
  const length = 37;
  const want = reference(c, length);

  it('matches the materialised float64 reference for chunk sizes that do and do not divide the length', () => {
    const { q, k, v } = t64(c);
    expect(want.out.some((x) => x !== 0)).toBe(true);
    for (const chunkSize of [1, 7, length - 1, length, length + 9, undefined]) {
      const got = attendDecode(q, k, v, { length, chunkSize, returnLse: true });
      expect(got.dims).toEqual([2, 4, 1, 5]);
      expect(got.lse.dims).toEqual([2, 4, 1]);
      expect(got.data).toBeInstanceOf(Float64Array);
      expectMatches(got, want, TOL64, `chunk ${chunkSize}`);
    }
  });

  it('reads only [0, length): garbage beyond the valid cache changes nothing', () => {
    const dirty = { ...c, k: c.k.slice(), v: c.v.slice() };
    for (let b = 0; b < s.batch; b++) {
      for (let h = 0; h < s.kvHeads; h++) {
        for (let j = length; j < s.capacity; j++) {
          const base = (b * s.kvHeads + h) * s.capacity + j;
          dirty.k.fill(NaN, base * s.d, (base + 1) * s.d);
          dirty.v.fill(1e30, base * s.dv, (base + 1) * s.dv);
        }
      }
    }
    const { q, k, v } = t64(dirty);
    expectMatches(attendDecode(q, k, v, { length, chunkSize: 7 }), want, TOL64, 'dirty tail');
    expectMatches(attendDecode(q, k, v, { length, unifiedMax: 'auto', chunkSize: 7 }), want, TOL64, 'dirty tail unified');
  });

  it('length defaults to the capacity', () => {
    const { q, k, v } = t64(c);
    expectMatches(attendDecode(q, k, v, { chunkSize: 6 }), reference(c, s.capacity), TOL64, 'full');
  });

  it('GQA, MQA and MHA map query head h to kv head ⌊h / (qHeads/kvHeads)⌋', () => {
    for (const kvHeads of [1, 2, 3, 6]) {
      const sz: Sizes = { batch: 1, qHeads: 6, kvHeads, lq: 1, capacity: 20, d: 4, dv: 3 };
      const cc = makeCase(sz, 10 + kvHeads);
      const { q, k, v } = t64(cc);
      expectMatches(attendDecode(q, k, v, { chunkSize: 6, returnLse: true }), reference(cc, 20), TOL64, `kvHeads ${kvHeads}`);
      // A different mask per query head (heads of one kv group are stacked into one kernel call).
      const keep = Uint8Array.from({ length: 6 * 20 }, (_, n) => ((n * 7 + Math.floor(n / 20)) % 4 !== 0 ? 1 : 0));
      const mask = { data: keep, dims: [1, 6, 1, 20] };
      const want = reference(cc, 20, { mask: (_b, h, _i, j) => (keep[h * 20 + j] ? 0 : -Infinity) });
      for (const unifiedMax of [false, 'auto'] as const) {
        expectMatches(attendDecode(q, k, v, { chunkSize: 6, returnLse: true, mask, unifiedMax }), want, TOL64, `kvHeads ${kvHeads} per-head mask`);
      }
    }
  });

  it('Lq > 1 is causal by default, aligned to the end of the valid cache', () => {
    const sz: Sizes = { batch: 2, qHeads: 4, kvHeads: 2, lq: 3, capacity: 16, d: 6, dv: 4 };
    const cc = makeCase(sz, 3);
    const { q, k, v } = t64(cc);
    const len = 11;
    const causalWant = reference(cc, len, { causal: true });
    for (const chunkSize of [1, 4, 10, 11, 30]) {
      expectMatches(attendDecode(q, k, v, { length: len, chunkSize, returnLse: true }), causalWant, TOL64, `causal chunk ${chunkSize}`);
    }
    // Query 0 sees positions ≤ 0 + 11 − 3 = 8: changing values at 9 and 10 leaves its row unchanged,
    // but changes the last query's row.
    const moved = { ...cc, v: cc.v.slice() };
    for (let b = 0; b < 2; b++) for (let h = 0; h < 2; h++) for (const j of [9, 10]) moved.v.fill(100, ((b * 2 + h) * 16 + j) * 4, ((b * 2 + h) * 16 + j + 1) * 4);
    const a = attendDecode(q, k, v, { length: len });
    const bOut = attendDecode(q, k, t64(moved).v, { length: len });
    for (let row = 0; row < 2 * 4 * 3; row++) {
      const i = row % 3;
      const same = Array.from(a.data.subarray(row * 4, row * 4 + 4)).every((x, t) => x === bOut.data[row * 4 + t]);
      expect(same, `row ${row} (query ${i})`).toBe(i === 0);
    }
    // causal: false sees everything.
    expectMatches(attendDecode(q, k, v, { length: len, causal: false, chunkSize: 4 }), reference(cc, len, { causal: false }), TOL64, 'non-causal');
    // Lq = 1 with causal: true is the same as without.
    const one = makeCase({ ...sz, lq: 1 }, 4);
    const o = t64(one);
    expectMatches(attendDecode(o.q, o.k, o.v, { length: len, causal: true, chunkSize: 3 }), reference(one, len, { causal: false }), TOL64, 'Lq 1 causal');
  });

  it('scale option', () => {
    const { q, k, v } = t64(c);
    expectMatches(attendDecode(q, k, v, { length, scale: 0.7, chunkSize: 5 }), reference(c, length, { scale: 0.7 }), TOL64, 'scale');
    // scale 0: uniform average of the visible values.
    expectMatches(attendDecode(q, k, v, { length, scale: 0 }), reference(c, length, { scale: 0 }), TOL64, 'scale 0');
    // Head size 0: every score is 0, so each row is the plain average of its visible values.
    const z = makeCase({ ...s, d: 0 }, 2);
    const zt = t64(z);
    for (const unifiedMax of [false, 'auto'] as const) {
      expectMatches(attendDecode(zt.q, zt.k, zt.v, { length, unifiedMax, chunkSize: 5, returnLse: true }), reference(z, length, { scale: 1 }), TOL64, 'd = 0');
    }
  });
});

describe('attendDecode: masks', () => {
  const s: Sizes = { batch: 2, qHeads: 4, kvHeads: 2, lq: 2, capacity: 24, d: 5, dv: 3 };
  const c = makeCase(s, 5);
  const length = 19;
  const rand = rng(77);
  const keepBHIJ = Uint8Array.from({ length: s.batch * s.qHeads * s.lq * length }, () => (rand() < 0.7 ? 1 : 0));

  it('boolean keep-mask of full shape [batch, qHeads, Lq, length], causal and not, both paths', () => {
    const { q, k, v } = t64(c);
    const fn: MaskFn = (b, h, i, j) => (keepBHIJ[((b * 4 + h) * 2 + i) * length + j] ? 0 : -Infinity);
    const mask = { data: keepBHIJ, dims: [2, 4, 2, length] };
    for (const causal of [true, false]) {
      const want = reference(c, length, { mask: fn, causal });
      for (const chunkSize of [1, 7, 19]) {
        expectMatches(attendDecode(q, k, v, { length, mask, causal, chunkSize, returnLse: true }), want, TOL64, `causal ${causal} chunk ${chunkSize}`);
        expectMatches(attendDecode(q, k, v, { length, mask, causal, chunkSize, returnLse: true, unifiedMax: 'auto' }), want, TOL64, `unified causal ${causal} chunk ${chunkSize}`);
      }
    }
  });

  it('additive mask over the cache capacity [qHeads, Lq, capacity] (preallocated alongside the cache)', () => {
    const { q, k, v } = t64(c);
    const bias = Float64Array.from({ length: 4 * 2 * 24 }, (_, n) => (n % 5 === 0 ? -Infinity : Math.sin(n)));
    const fn: MaskFn = (_b, h, i, j) => bias[(h * 2 + i) * 24 + j];
    const mask = { data: bias, dims: [4, 2, 24] };
    const want = reference(c, length, { mask: fn, causal: false });
    expectMatches(attendDecode(q, k, v, { length, mask, causal: false, chunkSize: 4, returnLse: true }), want, TOL64, 'additive capacity');
    expectMatches(attendDecode(q, k, v, { length, mask, causal: false, chunkSize: 4, returnLse: true, unifiedMax: 1 }), want, TOL64, 'additive capacity unified');
  });

  it('broadcast masks: a bare key row, [1, 1, Lq, length] over heads, and a key axis of 1', () => {
    const { q, k, v } = t64(c);
    const row = Array.from({ length }, (_, j) => j % 3 !== 1);
    expectMatches(attendDecode(q, k, v, { length, mask: row, returnLse: true }),
      reference(c, length, { mask: (_b, _h, _i, j) => (row[j] ? 0 : -Infinity) }), TOL64, 'bare row');
    const perQuery = Float64Array.from({ length: 2 * length }, (_, n) => 0.3 * Math.cos(n));
    expectMatches(attendDecode(q, k, v, { length, causal: false, mask: { data: perQuery, dims: [1, 1, 2, length] }, chunkSize: 5 }),
      reference(c, length, { causal: false, mask: (_b, _h, i, j) => perQuery[i * length + j] }), TOL64, 'per query');
    // Key axis 1: whole rows kept or dropped per (b, h).
    const headKeep = { data: [1, 0, 1, 1, 0, 1, 1, 1], dims: [2, 4, 1, 1] };
    const got = attendDecode(q, k, v, { length, mask: headKeep, returnLse: true });
    const want = reference(c, length, { mask: (b, h) => (headKeep.data[b * 4 + h] ? 0 : -Infinity) });
    expectMatches(got, want, TOL64, 'key axis 1');
  });

  it('fully masked rows give 0 output and lse −∞, never NaN (both paths, float32 and float64)', () => {
    const keep = { data: new Uint8Array(2 * 4 * 2 * length).fill(1), dims: [2, 4, 2, length] };
    // Batch 1, head 2, query 1: nothing kept; batch 0, head 0, query 0: only position 5 (masked by causal? no: 5 ≤ 17).
    keep.data.fill(0, ((1 * 4 + 2) * 2 + 1) * length, ((1 * 4 + 2) * 2 + 2) * length);
    keep.data.fill(0, 0, length);
    keep.data[5] = 1;
    for (const [conv] of BOTH) {
      const { q, k, v } = conv(c);
      for (const unifiedMax of [false, 'auto', 0] as const) {
        const got = attendDecode(q, k, v, { length, mask: keep, returnLse: true, unifiedMax, chunkSize: 4 });
        expect(got.data.some(Number.isNaN)).toBe(false);
        const dead = (1 * 4 + 2) * 2 + 1;
        expect(Array.from(got.data.subarray(dead * 3, dead * 3 + 3))).toEqual([0, 0, 0]);
        expect(got.lse.data[dead]).toBe(-Infinity);
        // A single kept key: output is exactly that value row (up to rounding).
        const vRow = Array.from(c.v.subarray(5 * 3, 6 * 3));
        expectClose(got.data.subarray(0, 3), vRow, 1e-6, 0, 'single key');
      }
    }
    // An empty valid cache (Lq = 1, not causal): every row is fully masked.
    const { q, k, v } = t64(makeCase({ ...s, lq: 1 }, 6));
    for (const unifiedMax of [false, 'auto'] as const) {
      const empty = attendDecode(q, k, v, { length: 0, returnLse: true, unifiedMax });
      expect(Array.from(empty.data).every((x) => x === 0)).toBe(true);
      expect(Array.from(empty.lse.data).every((x) => x === -Infinity)).toBe(true);
    }
  });

  it('NaN in one query row propagates to that row only', () => {
    const cc = { ...c, q: c.q.slice() };
    cc.q[0] = NaN;
    const { q, k, v } = t64(cc);
    for (const unifiedMax of [false, 'auto'] as const) {
      const got = attendDecode(q, k, v, { length, returnLse: true, unifiedMax, chunkSize: 5 });
      expect(Array.from(got.data.subarray(0, 3)).every(Number.isNaN)).toBe(true);
      expect(got.lse.data[0]).toBeNaN();
      expect(got.data.subarray(3).some(Number.isNaN)).toBe(false);
    }
  });
});

describe('attendDecode: FlashDecoding++ unified max value', () => {
  const s: Sizes = { batch: 2, qHeads: 6, kvHeads: 2, lq: 2, capacity: 45, d: 8, dv: 4 };
  const c = makeCase(s, 9);
  const length = 41;

  it('equals the exact path and the reference for fixed φ and auto, in float64', () => {
    const { q, k, v } = t64(c);
    const want = reference(c, length);
    for (const unifiedMax of [0, 2.5, -3, 'auto'] as const) {
      for (const chunkSize of [1, 7, 40, 41, 64]) {
        const got = attendDecode(q, k, v, { length, unifiedMax, chunkSize, returnLse: true });
        expectMatches(got, want, TOL64, `φ ${unifiedMax} chunk ${chunkSize}`);
      }
    }
  });

  it('float32 unified path equals the float32 exact path within float32 rounding, on both backends', () => {
    const want = reference(c, length);
    for (const backend of ['auto', 'reference'] as const) {
      setBackend(backend);
      const { q, k, v } = t32(c);
      const exact = attendDecode(q, k, v, { length, chunkSize: 7, returnLse: true });
      expect(exact.data).toBeInstanceOf(Float32Array);
      expectMatches(exact, want, TOL32, `${backend} exact`);
      for (const unifiedMax of [0, 'auto'] as const) {
        const got = attendDecode(q, k, v, { length, unifiedMax, chunkSize: 7, returnLse: true });
        expect(got.data).toBeInstanceOf(Float32Array);
        expectClose(got.data, exact.data, TOL32, TOL32, `${backend} φ ${unifiedMax} vs exact`);
        expectClose(got.lse.data, exact.lse.data, TOL32, TOL32, `${backend} φ ${unifiedMax} lse vs exact`);
      }
    }
  });

  it('falls back to the exact path when scores overflow past φ + W or sit far below φ', () => {
    // Keys scaled so scores reach ~±1000: e^(s − 0) overflows float64 and float32, so without the
    // fallback the output would be NaN/∞.
    const big = { ...c, k: c.k.map((x) => x * 300) };
    const wantBig = reference(big, length);
    expect(Math.max(...Array.from(wantBig.lse))).toBeGreaterThan(710);
    for (const [conv, tol] of BOTH.map(([f, t]) => [f, t * 5] as const)) {
      const { q, k, v } = conv(big);
      const exact = attendDecode(q, k, v, { length, chunkSize: 9, returnLse: true });
      const got = attendDecode(q, k, v, { length, unifiedMax: 0, chunkSize: 9, returnLse: true });
      expect(got.data.every(Number.isFinite)).toBe(true);
      expectClose(got.data, exact.data, tol, tol, 'overflow fallback');
      expectClose(got.lse.data, exact.lse.data, tol, 0, 'overflow fallback lse');
      expectClose(got.data, wantBig.out, tol, tol, 'overflow fallback vs reference');
    }
    // φ far above every score: e^(s − φ) underflows to 0 (0/0 without the fallback).
    const want = reference(c, length);
    for (const [conv, tol] of BOTH) {
      const { q, k, v } = conv(c);
      for (const phi of [2000, -2000]) {
        const got = attendDecode(q, k, v, { length, unifiedMax: phi, chunkSize: 9, returnLse: true });
        expectMatches(got, want, tol, `φ ${phi}`);
      }
    }
  });

  it("'auto' falls back when the true max beats its sample by more than W", () => {
    // Lq = 1, length 100: the 32 samples are positions round(t·99/31), which skip position 1. Make
    // position 1 score ~150 above the rest.
    const sz: Sizes = { batch: 1, qHeads: 2, kvHeads: 1, lq: 1, capacity: 100, d: 4, dv: 3 };
    const cc = makeCase(sz, 12, 0.5);
    cc.q.set([1, 1, 1, 1, 1, 1, 1, 1]);
    cc.k.set([150, 150, 150, 150], 4);
    const want = reference(cc, 100);
    expect(want.lse[0]).toBeGreaterThan(250);
    for (const [conv, tol] of BOTH.map(([f, t]) => [f, t * 5] as const)) {
      const { q, k, v } = conv(cc);
      const got = attendDecode(q, k, v, { unifiedMax: 'auto', chunkSize: 16, returnLse: true });
      expect(got.data.every(Number.isFinite)).toBe(true);
      expectMatches(got, want, tol, 'auto fallback');
    }
  });
});

describe('attendDecode: float32 and float64', () => {
  it('float32 in → float32 out within 1e-6 of the float64 reference; float64 to 1e-12', () => {
    const s: Sizes = { batch: 1, qHeads: 8, kvHeads: 2, lq: 1, capacity: 300, d: 16, dv: 8 };
    const c = makeCase(s, 21);
    const want = reference(c, 290);
    const w32 = t32(c);
    // The float32 reference reads the float32-rounded inputs.
    const want32 = reference({ s, q: w32.q.data, k: w32.k.data, v: w32.v.data }, 290);
    for (const backend of ['auto', 'reference'] as const) {
      setBackend(backend);
      const got = attendDecode(w32.q, w32.k, w32.v, { length: 290, chunkSize: 64, returnLse: true });
      expect(got.data).toBeInstanceOf(Float32Array);
      expect(got.lse.data).toBeInstanceOf(Float32Array);
      expectMatches(got, want32, TOL32, `float32 ${backend}`);
    }
    const w64 = t64(c);
    expectMatches(attendDecode(w64.q, w64.k, w64.v, { length: 290, chunkSize: 64, returnLse: true }), want, TOL64, 'float64');
  });
});

describe('attendDecode: returnLse and decodeMerge', () => {
  const s: Sizes = { batch: 2, qHeads: 4, kvHeads: 4, lq: 2, capacity: 30, d: 6, dv: 5 };
  const c = makeCase(s, 31);

  /** Cache positions [from, to) of a cache as a new tensor with capacity to − from. */
  function slice(data: Float64Array, width: number, from: number, to: number): { data: Float64Array; dims: number[] } {
    const out = new Float64Array(s.batch * s.kvHeads * (to - from) * width);
    for (let bh = 0; bh < s.batch * s.kvHeads; bh++) {
      out.set(data.subarray((bh * s.capacity + from) * width, (bh * s.capacity + to) * width), bh * (to - from) * width);
    }
    return { data: out, dims: [s.batch, s.kvHeads, to - from, width] };
  }

  it('attending to two halves and merging by lse equals attending to all (and the lse matches)', () => {
    const q = { data: c.q.slice(), dims: [2, 4, 2, 6] };
    const rand = rng(5);
    const keep = Uint8Array.from({ length: 2 * 4 * 2 * 30 }, () => (rand() < 0.6 ? 1 : 0));
    keep.fill(0, 0, 30); // one row fully masked over both halves
    const keepFn: MaskFn = (b, h, i, j) => (keep[((b * 4 + h) * 2 + i) * 30 + j] ? 0 : -Infinity);
    const halfMask = (from: number, to: number) => {
      const m = new Uint8Array(2 * 4 * 2 * (to - from));
      for (let r = 0; r < 16; r++) m.set(keep.subarray(r * 30 + from, r * 30 + to), r * (to - from));
      return { data: m, dims: [2, 4, 2, to - from] };
    };
    const full = attendDecode(q, { data: c.k, dims: [2, 4, 30, 6] }, { data: c.v, dims: [2, 4, 30, 5] },
      { causal: false, mask: { data: keep, dims: [2, 4, 2, 30] }, returnLse: true, chunkSize: 8 });
    const want = reference(c, 30, { causal: false, mask: keepFn });
    expectMatches(full, want, TOL64, 'full');
    for (const cut of [1, 13, 29]) {
      const a = attendDecode(q, slice(c.k, 6, 0, cut), slice(c.v, 5, 0, cut), { causal: false, mask: halfMask(0, cut), returnLse: true });
      const b = attendDecode(q, slice(c.k, 6, cut, 30), slice(c.v, 5, cut, 30), { causal: false, mask: halfMask(cut, 30), returnLse: true, unifiedMax: 'auto' });
      const merged = decodeMerge([a, b]);
      expect(merged.dims).toEqual([2, 4, 2, 5]);
      expect(merged.lse.dims).toEqual([2, 4, 2]);
      expectClose(merged.data, full.data, TOL64, TOL64, `cut ${cut}`);
      expectClose(merged.lse.data, full.lse.data, TOL64, 0, `cut ${cut} lse`);
      expect(merged.lse.data[0]).toBe(-Infinity);
    }
  });

  it('decodeMerge of a single part is the identity; float32 parts give float32', () => {
    const { q, k, v } = t32(c);
    const one = attendDecode(q, k, v, { returnLse: true });
    const merged = decodeMerge([one]);
    expect(merged.data).toBeInstanceOf(Float32Array);
    expect(Array.from(merged.data)).toEqual(Array.from(one.data));
    expect(Array.from(merged.lse.data)).toEqual(Array.from(one.lse.data));
  });

  it('without returnLse there is no lse', () => {
    const { q, k, v } = t64(c);
    expect(attendDecode(q, k, v).lse).toBeUndefined();
  });

  it('decodeMerge validates its parts', () => {
    const { q, k, v } = t64(c);
    const a = attendDecode(q, k, v, { returnLse: true });
    const bad = (x: unknown) => x as never;
    expectSoftmaxError(() => decodeMerge([]), 'E_INPUT', 'parts');
    expectSoftmaxError(() => decodeMerge(bad([{ data: a.data, dims: a.dims }])), 'E_INPUT', 'parts[0]');
    expectSoftmaxError(() => decodeMerge([a, { ...a, dims: [2, 4, 1, 10] }]), 'E_SHAPE', 'parts[1].dims');
    expectSoftmaxError(() => decodeMerge([a, { ...a, lse: { data: a.lse.data, dims: [2, 8] } }]), 'E_SHAPE', 'parts[1].lse.dims');
    expectSoftmaxError(() => decodeMerge(bad([a, { ...a, data: Float32Array.from(a.data) }])), 'E_DTYPE', 'parts[1]');
  });
});

describe('attendDecode: validation', () => {
  const s: Sizes = { batch: 1, qHeads: 4, kvHeads: 2, lq: 2, capacity: 6, d: 3, dv: 2 };
  const c = makeCase(s, 41);
  const bad = (x: unknown) => x as never;

  it('throws SoftmaxError with the documented code, naming the argument', () => {
    const { q, k, v } = t64(c);
    const call = (opts: AttendDecodeOptions, qq: unknown = q, kk: unknown = k, vv: unknown = v) => () => attendDecode(bad(qq), bad(kk), bad(vv), opts);
    expectSoftmaxError(call({}, c.q), 'E_INPUT', 'q');
    expectSoftmaxError(call({}, q, null), 'E_INPUT', 'kCache');
    expectSoftmaxError(call({}, { data: new Int32Array(24), dims: [1, 4, 2, 3] }), 'E_DTYPE', 'q.data');
    expectSoftmaxError(call({}, q, { data: Float32Array.from(c.k), dims: k.dims }), 'E_DTYPE', 'kCache.data');
    expectSoftmaxError(call({}, q, k, { data: Float32Array.from(c.v), dims: v.dims }), 'E_DTYPE', 'vCache.data');
    expectSoftmaxError(call({}, { data: q.data, dims: [4, 2, 3] }), 'E_SHAPE', 'q.dims');
    expectSoftmaxError(call({}, { data: q.data, dims: [1, 4, 2, 4] }), 'E_SHAPE', 'q.dims');
    expectSoftmaxError(call({}, q, { data: c.k, dims: [1, 2, 4, 4.5] }), 'E_SHAPE', 'kCache.dims');
    // Head size mismatch, kv heads not dividing q heads, batch mismatch.
    expectSoftmaxError(call({}, q, { data: c.k, dims: [1, 2, 9, 2] }), 'E_SHAPE', 'kCache.dims');
    expectSoftmaxError(call({}, q, { data: new Float64Array(3 * 4 * 3), dims: [1, 3, 4, 3] }, { data: new Float64Array(3 * 4 * 2), dims: [1, 3, 4, 2] }), 'E_SHAPE', 'kCache.dims');
    expectSoftmaxError(call({}, q, { data: new Float64Array(2 * 2 * 3 * 3), dims: [2, 2, 3, 3] }), 'E_SHAPE', 'kCache.dims');
    expectSoftmaxError(call({}, q, k, { data: c.v.subarray(0, 20), dims: [1, 2, 5, 2] }), 'E_SHAPE', 'vCache.dims');
    // length > capacity, non-integer; causal with Lq > length.
    expectSoftmaxError(call({ length: 7 }), 'E_PARAM', 'length');
    expectSoftmaxError(call({ length: 2.5 }), 'E_PARAM', 'length');
    expectSoftmaxError(call({ length: 1 }), 'E_SHAPE', 'length');
    expectSoftmaxError(call({ length: 0, causal: true }), 'E_SHAPE', 'length');
    expect(() => attendDecode(q, k, v, { length: 1, causal: false })).not.toThrow();
    expectSoftmaxError(call({ chunkSize: 0 }), 'E_PARAM', 'chunkSize');
    expectSoftmaxError(call({ chunkSize: 1.5 }), 'E_PARAM', 'chunkSize');
    expectSoftmaxError(call({ scale: NaN }), 'E_PARAM', 'scale');
    expectSoftmaxError(call({ scale: Infinity }), 'E_PARAM', 'scale');
    expectSoftmaxError(call({ unifiedMax: bad(true) }), 'E_PARAM', 'unifiedMax');
    expectSoftmaxError(call({ unifiedMax: Infinity }), 'E_PARAM', 'unifiedMax');
    expectSoftmaxError(call({ unifiedMax: bad('max') }), 'E_PARAM', 'unifiedMax');
    expectSoftmaxError(call({ causal: bad(1) }), 'E_PARAM', 'causal');
    expectSoftmaxError(call({ returnLse: bad('yes') }), 'E_PARAM', 'returnLse');
    expectSoftmaxError(call(bad(3)), 'E_INPUT', 'options');
    // Masks: wrong float type, not broadcastable, wrong key axis, bad kind, bad values.
    expectSoftmaxError(call({ mask: { data: new Float32Array(6), dims: [6] } }), 'E_DTYPE', 'mask.data');
    expectSoftmaxError(call({ mask: bad(new Int16Array(6)) }), 'E_DTYPE', 'mask');
    expectSoftmaxError(call({ mask: { data: new Uint8Array(6 * 3), dims: [3, 6] } }), 'E_SHAPE', 'mask');
    expectSoftmaxError(call({ mask: { data: new Uint8Array(5), dims: [5] }, length: 4 }), 'E_SHAPE', 'mask');
    expectSoftmaxError(call({ mask: { data: new Uint8Array(6), dims: [1, 1, 1, 1, 6] } }), 'E_SHAPE', 'mask');
    expectSoftmaxError(call({ mask: { data: new Uint8Array(6), dims: [2, 6] } }), 'E_SHAPE', 'mask.dims');
    expectSoftmaxError(call({ mask: bad(5) }), 'E_INPUT', 'mask');
    expectSoftmaxError(call({ mask: [1, 0, 2, 1, 1, 1] }), 'E_INPUT', 'mask[2]');
  });

  it('accepts a mask over the capacity while length < capacity', () => {
    const { q, k, v } = t64(c);
    const keep = [1, 1, 0, 1, 0, 0];
    expectMatches(attendDecode(q, k, v, { length: 4, mask: keep, causal: false }),
      reference(c, 4, { causal: false, mask: (_b, _h, _i, j) => (keep[j] ? 0 : -Infinity) }), TOL64, 'capacity mask');
  });

  it('never mutates its inputs (both paths, with masks, float32 and float64)', () => {
    for (const [conv] of BOTH) {
      const { q, k, v } = conv(c);
      const additive = q.data instanceof Float32Array ? new Float32Array(2 * 6).fill(0.5) : new Float64Array(2 * 6).fill(0.5);
      additive[3] = -Infinity;
      const masks = [{ data: additive, dims: [2, 6] }, { data: Uint8Array.from([1, 0, 1, 1, 1, 1]), dims: [6] }];
      const snapshot = [q.data, k.data, v.data, ...masks.map((m) => m.data)].map((a) => Array.from(a));
      for (const mask of masks) {
        for (const unifiedMax of [false, 'auto', 0] as const) {
          attendDecode(q, k, v, { mask, unifiedMax, chunkSize: 4, length: 5, returnLse: true });
        }
      }
      expect([q.data, k.data, v.data, ...masks.map((m) => m.data)].map((a) => Array.from(a))).toEqual(snapshot);
      expect(q.dims).toEqual([1, 4, 2, 3]);
    }
  });
});
