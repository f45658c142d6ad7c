/**
 * The tiled backward pass (backward.ts / tiles.ts): its two softmax regimes — row blocks (whole head,
 * several blocks, causal blocks) and key tiles after a flash recompute — agree with each other and with
 * central finite differences on awkward sizes; the float32 WebAssembly GEMM path matches float64;
 * fully masked rows give zero gradients and NaN stays in its rows.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attention } from '../../src/attention/attention.js';
import type { AttentionOptions } from '../../src/attention/attentionTypes.js';
import { attentionBackward, type RawGradients } from '../../src/attention/backward.js';
import { parseCall } from '../../src/attention/call.js';
import { backendInfo, setBackend } from '../../src/kernels/dispatch.js';
import { allocate } from '../../src/kernels/wasm/allocate.js';
import { kernels, ready } from '../../src/kernels/wasm/module.js';
import { normalizers, type Normalizer } from '../../src/normalizers/registry.js';
import { expectClose, numericGradient } from '../ops/helpers.js';
import { as32, as64, dot, makeProblem, randomArray, tensors, type Sizes } from './attentionReference.js';

// GQA (3 q heads per kv head), Lq ≠ Lk, d ≠ dv, nothing a multiple of 4.
const s: Sizes = { batch: 2, qHeads: 3, kvHeads: 1, lq: 37, lk: 23, d: 5, dv: 3 };
const p = makeProblem(s, 301, 1.3);
const dOut = randomArray(s.batch * s.qHeads * s.lq * s.dv, 302);
// Boolean key mask per batch; batch 1 drops keys 0..2 and 20.
const keep = Uint8Array.from({ length: s.batch * s.lk }, (_, i) => (i >= s.lk && (i - s.lk < 3 || i - s.lk === 20) ? 0 : 1));
const tau = randomArray(s.batch * s.qHeads * s.lq, 303, 0.6, 1.4);

/** Budgets (score elements per tile) reaching each regime for these sizes. */
const BUDGETS: [string, number | undefined][] = [
  ['whole head (default)', undefined],
  ['row blocks of 17', s.lk * 17],
  ['key tiles of 1', 37],
  ['key tiles of 9', 37 * 9],
];

const cases: [string, AttentionOptions][] = [
  ['plain', {}],
  ['causal (Lq > Lk: early rows keep nothing) + boolean mask', { causal: true, mask: { data: keep, dims: [s.batch, 1, 1, s.lk] } }],
  ['additive mask with −∞ and temperature', {
    mask: { data: randomArray(s.lq * s.lk, 304, -2, 1).map((x) => (x < -1.6 ? -Infinity : x)), dims: [s.lq, s.lk] },
    temperature: { data: tau, dims: [s.batch, s.qHeads, s.lq] },
  }],
  ['mask broadcast along the keys, causal', { causal: true, mask: { data: randomArray(s.lq, 305, -1, 1), dims: [s.lq, 1] } }],
];

function grads(t: ReturnType<typeof tensors>, dy: Float32Array | Float64Array, opts: AttentionOptions, budget?: number): RawGradients {
  return attentionBackward(parseCall(t.q, t.k, t.v, opts), dy, budget);
}

function expectGradsClose(got: RawGradients, want: RawGradients, rtol: number, label: string): void {
  for (const key of ['dq', 'dk', 'dv', 'dTemperature'] as const) {
    const w = want[key];
    if (!w) continue;
    const scale = w.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expectClose(got[key]!, w, rtol, rtol * scale, `${label} ${key}`);
  }
}

describe('softmax backward regimes agree (float64)', () => {
  const t = tensors(p, as64);
  for (const [name, opts] of cases) {
    it(name, () => {
      const base = grads(t, dOut, opts);
      for (const [label, budget] of BUDGETS.slice(1)) expectGradsClose(grads(t, dOut, opts, budget), base, 1e-12, label);
    });
  }
});

describe('key-tile regime vs central finite differences (float64)', () => {
  const small: Sizes = { batch: 1, qHeads: 2, kvHeads: 1, lq: 5, lk: 7, d: 3, dv: 2 };
  const ps = makeProblem(small, 311, 1.2);
  const dy = randomArray(small.batch * small.qHeads * small.lq * small.dv, 312);
  const opts: AttentionOptions = { causal: true, mask: { data: Uint8Array.from([1, 1, 0, 1, 1, 1, 1]), dims: [small.lk] } };
  it('dq, dk, dv with key tiles of 3 (tiles 3, 3, 1)', () => {
    const t = tensors(ps, as64);
    const g = grads(t, dy, opts, 15);
    const loss = (q: Float64Array, k: Float64Array, v: Float64Array) =>
      dot(dy, attention({ data: q, dims: t.q.dims }, { data: k, dims: t.k.dims }, { data: v, dims: t.v.dims }, opts).data);
    expectClose(g.dq, numericGradient((x) => loss(x, ps.k, ps.v), ps.q), 1e-6, 1e-6, 'dq');
    expectClose(g.dk, numericGradient((x) => loss(ps.q, x, ps.v), ps.k), 1e-6, 1e-6, 'dk');
    expectClose(g.dv, numericGradient((x) => loss(ps.q, ps.k, x), ps.v), 1e-6, 1e-6, 'dv');
  });
});

describe('float32 tiles', () => {
  beforeAll(async () => {
    await ready();
  });
  afterEach(() => setBackend('auto'));
  const t32 = tensors(p, as32);
  const t64 = tensors(p, (x) => Float64Array.from(as32(x)));
  const dy32 = Float32Array.from(dOut);
  const dy64 = Float64Array.from(dy32);
  const f32 = (o: AttentionOptions): AttentionOptions => {
    const m = o.mask as { data: unknown; dims: number[] } | undefined;
    return m && m.data instanceof Float64Array ? { ...o, mask: { data: Float32Array.from(m.data), dims: m.dims } } : o;
  };
  const f64 = (o: AttentionOptions): AttentionOptions => {
    const m = o.mask as { data: unknown; dims: number[] } | undefined;
    return m && m.data instanceof Float64Array ? { ...o, mask: { data: Float64Array.from(Float32Array.from(m.data)), dims: m.dims } } : o;
  };
  const o32 = (o: AttentionOptions): AttentionOptions => {
    const x = f32(o);
    return o.temperature ? { ...x, temperature: { data: Float32Array.from(tau), dims: [s.batch, s.qHeads, s.lq] } } : x;
  };
  const o64 = (o: AttentionOptions): AttentionOptions => {
    const x = f64(o);
    return o.temperature ? { ...x, temperature: { data: Float64Array.from(Float32Array.from(tau)), dims: [s.batch, s.qHeads, s.lq] } } : x;
  };
  for (const backend of ['auto', 'reference'] as const) {
    it(`every regime matches float64 (${backend} backend)`, () => {
      setBackend(backend);
      expect(backendInfo().float32).toBe(backend === 'auto' ? 'wasm-simd' : 'reference');
      for (const [name, opts] of cases) {
        const want = grads(t64, dy64, o64(opts));
        for (const [label, budget] of BUDGETS) expectGradsClose(grads(t32, dy32, o32(opts), budget), want, 2e-5, `${name}, ${label}`);
      }
    });
  }

  it('WebAssembly memory growth during a call (inside the normaliser) changes nothing', () => {
    // A normaliser that doubles the kernels' memory on its first calls: views taken before are detached.
    let grown = 0;
    const grow = (): void => {
      if (grown++ >= 3) return;
      const big = allocate(kernels()!.memory.buffer.byteLength / 4 + 1);
      big.free();
    };
    const base = normalizers.sparsemax;
    const growing: Normalizer = { ...base, forward: (x, o) => (grow(), base.forward(x, o)), vjp: (y, dy, o) => (grow(), base.vjp(y, dy, o)) };
    const t = tensors(p, as32);
    const dy = { data: Float32Array.from(dOut), dims: [s.batch, s.qHeads, s.lq, s.dv] };
    const opts: AttentionOptions = { causal: true };
    const want = attention(t.q, t.k, t.v, { ...opts, normalizer: base }).data;
    const wantG = attention.vjp(t.q, t.k, t.v, dy, { ...opts, normalizer: base });
    const before = kernels()!.memory.buffer.byteLength;
    expect(attention(t.q, t.k, t.v, { ...opts, normalizer: growing }).data).toEqual(want);
    grown = 0;
    const g = attention.vjp(t.q, t.k, t.v, dy, { ...opts, normalizer: growing });
    expect(kernels()!.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(g.dq.data).toEqual(wantG.dq.data);
    expect(g.dk.data).toEqual(wantG.dk.data);
    expect(g.dv.data).toEqual(wantG.dv.data);
  });

  it('materialised normalisers over several blocks, causal + mask, match float64', () => {
    const big: Sizes = { batch: 1, qHeads: 2, kvHeads: 2, lq: 70, lk: 45, d: 6, dv: 5 };
    const pb = makeProblem(big, 321, 1.5);
    const b32 = tensors(pb, as32);
    const b64 = tensors(pb, (x) => Float64Array.from(as32(x)));
    const dyb = Float32Array.from(randomArray(big.batch * big.qHeads * big.lq * big.dv, 322));
    const mask = { data: Uint8Array.from({ length: big.lk }, (_, j) => (j % 7 === 3 ? 0 : 1)), dims: [big.lk] };
    for (const normalizer of ['sparsemax', 'sigmoid', 'entmax'] as const) {
      const opts: AttentionOptions = { normalizer, causal: true, mask };
      const got = attention(b32.q, b32.k, b32.v, opts);
      expect(got.data).toBeInstanceOf(Float32Array);
      expectClose(got.data, attention(b64.q, b64.k, b64.v, opts).data, 1e-5, 1e-6, `${normalizer} forward`);
      const want = attentionBackward(parseCall(b64.q, b64.k, b64.v, opts), Float64Array.from(dyb));
      expectGradsClose(attentionBackward(parseCall(b32.q, b32.k, b32.v, opts), dyb), want, 2e-5, normalizer);
    }
  });
});

describe('edge rows', () => {
  for (const F of [Float32Array, Float64Array]) {
    const conv = (x: Float64Array) => F.from(x);
    it(`fully masked rows get zero gradients, no NaN (${F.name})`, () => {
      const t = tensors(p, conv);
      const opts: AttentionOptions = { causal: true, mask: { data: keep, dims: [s.batch, 1, 1, s.lk] } };
      for (const [label, budget] of BUDGETS) {
        const g = grads(t, conv(dOut), opts, budget);
        // Batch 1 keeps keys from 3 on; causal offset Lk − Lq = −14, so rows 0..16 of batch 1 keep nothing.
        for (let h = 0; h < s.qHeads; h++) {
          const base = ((1 * s.qHeads + h) * s.lq) * s.d;
          for (let i = 0; i < 17 * s.d; i++) expect(g.dq[base + i], `${label} dq[${base + i}]`).toBe(0);
        }
        for (const a of [g.dq, g.dk, g.dv]) expect(a.every((x) => Number.isFinite(x)), label).toBe(true);
      }
    });

    it(`NaN in a query row stays in that row of dq (${F.name})`, () => {
      const q = conv(p.q);
      q[2] = NaN; // row 0 of (b 0, h 0)
      const t = { ...tensors(p, conv), q: { data: q, dims: [s.batch, s.qHeads, s.lq, s.d] } };
      for (const [label, budget] of BUDGETS) {
        const g = grads(t, conv(dOut), {}, budget);
        for (let c = 0; c < s.d; c++) expect(g.dq[c], `${label} dq[${c}]`).toBeNaN();
        expect(g.dq.subarray(s.d).every((x) => Number.isFinite(x)), label).toBe(true);
      }
    });
  }
});

describe('degenerate shapes', () => {
  for (const F of [Float32Array, Float64Array]) {
    it(`Lk = 0, d = 0, dv = 0, Lq = 0 give zero (or empty) gradients (${F.name})`, () => {
      const shapes: Sizes[] = [
        { batch: 2, qHeads: 2, kvHeads: 1, lq: 3, lk: 0, d: 4, dv: 2 },
        { batch: 1, qHeads: 2, kvHeads: 2, lq: 3, lk: 5, d: 0, dv: 2 },
        { batch: 1, qHeads: 1, kvHeads: 1, lq: 3, lk: 5, d: 4, dv: 0 },
        { batch: 1, qHeads: 2, kvHeads: 1, lq: 0, lk: 5, d: 4, dv: 2 },
      ];
      for (const sz of shapes) {
        const t = tensors(makeProblem(sz, 331), (x) => F.from(x));
        const dy = F.from(randomArray(sz.batch * sz.qHeads * sz.lq * sz.dv, 332));
        for (const opts of [{}, { causal: true }, { normalizer: 'sigmoid' }] as AttentionOptions[]) {
          const g = attention.vjp(t.q, t.k, t.v, { data: dy, dims: [sz.batch, sz.qHeads, sz.lq, sz.dv] }, opts);
          const label = JSON.stringify(sz);
          expect(g.dq.data.length, label).toBe(t.q.data.length);
          expect(g.dk.data.length, label).toBe(t.k.data.length);
          for (const a of [g.dq.data, g.dk.data, g.dv.data]) expect(a.every((x) => Number.isFinite(x)), label).toBe(true);
          // No key, no value channel or no query: nothing flows back, every gradient is 0.
          if (sz.lk === 0 || sz.dv === 0 || sz.lq === 0) for (const a of [g.dq.data, g.dk.data, g.dv.data]) expect(a.every((x) => x === 0), label).toBe(true);
        }
      }
    });
  }
});

