/**
 * Quaternion self-attention: shared scores = standard attention on the flattened 4·d_h features;
 * component-wise = a direct per-component implementation written here; gradients vs central
 * differences; operation counts (analytic = instrumented, −75 %, 4 → 1).
 */
import { describe, expect, it } from 'vitest';
import { attention } from '../../src/attention/attention.js';
import { quaternionAttend } from '../../src/hypercomplex/quaternionAttend.js';
import { quaternionAttention } from '../../src/hypercomplex/quaternionAttention.js';
import { quaternionAttentionReference } from '../../src/hypercomplex/quaternionAttentionReference.js';
import { expectClose, expectSoftmaxError } from '../ops/helpers.js';
import { gradCheck, leaf, rng } from '../train/gradcheck.js';

type T = { data: Float64Array; dims: number[] };

function random(seed: number, dims: number[], scale = 1): T {
  const rand = rng(seed);
  const size = dims.reduce((a, b) => a * b, 1);
  return { data: Float64Array.from({ length: size }, () => scale * (2 * rand() - 1)), dims };
}

/** [B, L, 4U] blocks → [B, H, L, 4·d_h] with feature c·d_h + t = x[b, l, c·U + h·d_h + t]. */
function flatten(x: T, heads: number): T {
  const [b, l, d] = x.dims;
  const u = d / 4;
  const dh = u / heads;
  const out = new Float64Array(x.data.length);
  for (let bi = 0; bi < b; bi++) for (let h = 0; h < heads; h++) for (let li = 0; li < l; li++) for (let c = 0; c < 4; c++) for (let t = 0; t < dh; t++) {
    out[((bi * heads + h) * l + li) * 4 * dh + c * dh + t] = x.data[(bi * l + li) * d + c * u + h * dh + t];
  }
  return { data: out, dims: [b, heads, l, 4 * dh] };
}

function unflatten(y: ArrayLike<number>, dims: number[], heads: number): Float64Array {
  const [b, l, d] = dims;
  const u = d / 4;
  const dh = u / heads;
  const out = new Float64Array(b * l * d);
  for (let bi = 0; bi < b; bi++) for (let h = 0; h < heads; h++) for (let li = 0; li < l; li++) for (let c = 0; c < 4; c++) for (let t = 0; t < dh; t++) {
    out[(bi * l + li) * d + c * u + h * dh + t] = y[((bi * heads + h) * l + li) * 4 * dh + c * dh + t];
  }
  return out;
}

/**
 * Tay et al.'s component-wise attention written directly: per head the four components of Q ⊗ K (or
 * Q ⊗ K*) summed over the head's units, scaled by 1/√(4·d_h), masked, four row softmaxes, then
 * O_c = A_c V_c or O = A ⊗ V.
 */
function directComponentwise(q: T, k: T, v: T, heads: number, opts: { causal?: boolean; keep?: (b: number, i: number, j: number) => boolean; hamilton?: boolean; conjugate?: boolean }): Float64Array {
  const [batch, lq, d] = q.dims;
  const lk = k.dims[1];
  const u = d / 4;
  const dh = u / heads;
  const out = new Float64Array(batch * lq * d);
  const at = (x: T, len: number, b: number, l: number, c: number, unit: number): number => x.data[(b * len + l) * d + c * u + unit];
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < lq; i++) {
    const weights = [0, 1, 2, 3].map(() => new Float64Array(lk));
    for (let c = 0; c < 4; c++) {
      const s = new Float64Array(lk).fill(-Infinity);
      for (let j = 0; j < lk; j++) {
        if (opts.causal && j > i + lk - lq) continue;
        if (opts.keep && !opts.keep(b, i, j)) continue;
        let sum = 0;
        for (let t = h * dh; t < (h + 1) * dh; t++) {
          const [pr, pi, pj, pk] = [0, 1, 2, 3].map((cc) => at(q, lq, b, i, cc, t));
          const sg = opts.conjugate ? -1 : 1;
          const [qr, qi, qj, qk] = [0, 1, 2, 3].map((cc) => (cc === 0 ? 1 : sg) * at(k, lk, b, j, cc, t));
          sum += [
            pr * qr - pi * qi - pj * qj - pk * qk,
            pr * qi + pi * qr + pj * qk - pk * qj,
            pr * qj - pi * qk + pj * qr + pk * qi,
            pr * qk + pi * qj - pj * qi + pk * qr,
          ][c];
        }
        s[j] = sum / Math.sqrt(4 * dh);
      }
      const m = Math.max(...s);
      if (m === -Infinity) continue;
      let z = 0;
      for (let j = 0; j < lk; j++) z += Math.exp(s[j] - m);
      for (let j = 0; j < lk; j++) weights[c][j] = Math.exp(s[j] - m) / z;
    }
    for (let j = 0; j < lk; j++) for (let t = h * dh; t < (h + 1) * dh; t++) {
      const [a0, a1, a2, a3] = weights.map((w) => w[j]);
      const [vr, vi, vj, vk] = [0, 1, 2, 3].map((c) => at(v, lk, b, j, c, t));
      const o = (c: number): number => (b * lq + i) * d + c * u + t;
      if (opts.hamilton) {
        out[o(0)] += a0 * vr - a1 * vi - a2 * vj - a3 * vk;
        out[o(1)] += a0 * vi + a1 * vr + a2 * vk - a3 * vj;
        out[o(2)] += a0 * vj - a1 * vk + a2 * vr + a3 * vi;
        out[o(3)] += a0 * vk + a1 * vj - a2 * vi + a3 * vr;
      } else {
        out[o(0)] += a0 * vr;
        out[o(1)] += a1 * vi;
        out[o(2)] += a2 * vj;
        out[o(3)] += a3 * vk;
      }
    }
  }
  return out;
}

const q = random(1, [2, 5, 16], 2);
const k = random(2, [2, 7, 16], 2);
const v = random(3, [2, 7, 16]);
/** Boolean key-padding mask [B, 1, 1, Lk]: batch 1 drops its last two keys. */
const mask = { data: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]), dims: [2, 1, 1, 7] };
const keepOf = (b: number, _i: number, j: number): boolean => mask.data[b * 7 + j] === 1;

describe("quaternionAttention 'shared'", () => {
  it('equals standard attention on the flattened 4·d_h features with scale 1/√(4·d_h)', () => {
    for (const heads of [1, 2, 4]) {
      for (const causal of [false, true]) {
        const got = quaternionAttention(q, k, v, { variant: 'shared', heads, causal, mask });
        const want = attention(flatten(q, heads), flatten(k, heads), flatten(v, heads), { scale: 1 / Math.sqrt(16 / heads), causal, mask });
        expect(got.output.dims).toEqual([2, 5, 16]);
        expectClose(got.output.data, unflatten(want.data, [2, 5, 16], heads), 1e-14, 1e-15);
        expect(got.ops).toBeUndefined();
      }
    }
  });

  it('passes any normaliser through (sparsemax)', () => {
    const got = quaternionAttention(q, k, v, { heads: 2, normalizer: 'sparsemax' });
    const want = attention(flatten(q, 2), flatten(k, 2), flatten(v, 2), { scale: 1 / Math.sqrt(8), normalizer: 'sparsemax' });
    expectClose(got.output.data, unflatten(want.data, [2, 5, 16], 2), 1e-14, 1e-15);
  });

  it('float32 in → float32 out, within 1e-5 of the float64 result', () => {
    const f32 = (t: T): { data: Float32Array; dims: number[] } => ({ data: Float32Array.from(t.data), dims: t.dims });
    for (const variant of ['shared', 'componentwise'] as const) {
      const got = quaternionAttention(f32(q), f32(k), f32(v), { variant, heads: 2, causal: true });
      expect(got.output.data).toBeInstanceOf(Float32Array);
      const want = quaternionAttention(
        { data: Float64Array.from(f32(q).data), dims: q.dims }, { data: Float64Array.from(f32(k).data), dims: k.dims }, { data: Float64Array.from(f32(v).data), dims: v.dims },
        { variant, heads: 2, causal: true },
      );
      expectClose(got.output.data, want.output.data, 1e-5, 1e-5);
    }
  });
});

describe("quaternionAttention 'componentwise'", () => {
  it('equals the direct per-component implementation (Q ⊗ K, concatenated A_c V_c), heads, causal and masks', () => {
    for (const heads of [1, 2]) {
      for (const causal of [false, true]) {
        const got = quaternionAttention(q, k, v, { variant: 'componentwise', heads, causal, mask });
        expectClose(got.output.data, directComponentwise(q, k, v, heads, { causal, keep: keepOf }), 1e-13, 1e-14);
      }
    }
  });

  it("equals the direct implementation with the Hamilton value product and with Q ⊗ K*", () => {
    const hamilton = quaternionAttention(q, k, v, { variant: 'componentwise', heads: 2, valueProduct: 'hamilton', causal: true });
    expectClose(hamilton.output.data, directComponentwise(q, k, v, 2, { causal: true, hamilton: true }), 1e-13, 1e-14);
    const conj = quaternionAttention(q, k, v, { variant: 'componentwise', heads: 4, conjugate: true });
    expectClose(conj.output.data, directComponentwise(q, k, v, 4, { conjugate: true }), 1e-13, 1e-14);
  });

  it('agrees with the instrumented reference for both variants', () => {
    const kk = random(4, [2, 5, 16], 2);
    const vv = random(5, [2, 5, 16]);
    for (const variant of ['shared', 'componentwise'] as const) {
      for (const valueProduct of ['concat', 'hamilton'] as const) {
        const fast = quaternionAttention(q, kk, vv, { variant, heads: 2, causal: true, valueProduct });
        const ref = quaternionAttentionReference(q, kk, vv, { variant, heads: 2, causal: true, valueProduct });
        expectClose(fast.output.data, ref.output.data, 1e-13, 1e-14);
      }
    }
  });

  it('validates shapes and options', () => {
    expectSoftmaxError(() => quaternionAttention(q, k, v, { heads: 3 }), 'E_PARAM', 'heads');
    expectSoftmaxError(() => quaternionAttention(random(1, [1, 2, 6]), random(1, [1, 2, 6]), random(1, [1, 2, 6])), 'E_SHAPE', 'q.dims');
    expectSoftmaxError(() => quaternionAttention(q, k, random(1, [2, 6, 16])), 'E_SHAPE', 'v.dims');
    expectSoftmaxError(() => quaternionAttention(q, k, v, { variant: 'mixed' as 'shared' }), 'E_PARAM', 'variant');
  });
});

describe('gradients vs central differences (float64)', () => {
  const rand = rng(40);
  const cases = [
    { variant: 'shared' as const, heads: 2, causal: true },
    { variant: 'shared' as const, heads: 1, mask },
    { variant: 'componentwise' as const, heads: 2, causal: true },
    { variant: 'componentwise' as const, heads: 1, mask },
    { variant: 'componentwise' as const, heads: 2, valueProduct: 'hamilton' as const },
  ];
  for (const opts of cases) {
    it(`${opts.variant} ${JSON.stringify({ ...opts, mask: opts.mask ? 'padding' : undefined })}`, () => {
      gradCheck((a, b, c) => quaternionAttend(a, b, c, opts), [leaf(rand, [2, 4, 8]), leaf(rand, [2, 7, 8]), leaf(rand, [2, 7, 8])]);
    });
  }

  it('quaternionAttention.vjp validates dOut', () => {
    expectSoftmaxError(() => quaternionAttention.vjp(q, k, v, random(1, [2, 5, 8])), 'E_SHAPE', 'dOut.dims');
  });
});

describe('operation counts', () => {
  it('analytic counts equal the instrumented reference: 4·d_h vs 16·d_h multiplications per pair (−75 %), 1 vs 4 softmaxes', () => {
    const shapes: Array<[number, number, number, number, number]> = [[1, 1, 3, 3, 4], [2, 2, 5, 7, 16], [1, 4, 4, 6, 32]];
    for (const [b, heads, lq, lk, d] of shapes) {
      const qq = random(7, [b, lq, d]);
      const kv = random(8, [b, lk, d]);
      const counts: Record<string, { scoreMultiplications: number; softmaxCalls: number }> = {};
      for (const variant of ['shared', 'componentwise'] as const) {
        const analytic = quaternionAttention(qq, kv, kv, { variant, heads, countOps: true }).ops!;
        const instrumented = quaternionAttentionReference(qq, kv, kv, { variant, heads }).ops;
        expect(analytic).toEqual(instrumented);
        counts[variant] = analytic;
      }
      expect(1 - counts.shared.scoreMultiplications / counts.componentwise.scoreMultiplications).toBe(0.75);
      expect(counts.componentwise.softmaxCalls / counts.shared.softmaxCalls).toBe(4);
      expect(counts.shared.softmaxCalls).toBe(b * heads);
    }
    const single = quaternionAttention(random(9, [1, 3, 8]), random(9, [1, 3, 8]), random(9, [1, 3, 8]), { variant: 'componentwise', countOps: true }).ops!;
    expect(single.softmaxCalls).toBe(4);
  });
});

describe('returnWeights', () => {
  it('returns the maps [B, heads, maps, Lq, Lk] whose rows match the direct component-wise softmaxes', () => {
    const shared = quaternionAttention(q, k, v, { heads: 2, causal: true, returnWeights: true });
    expect(shared.weights!.dims).toEqual([2, 2, 1, 5, 7]);
    const want = attention(flatten(q, 2), flatten(k, 2), flatten(v, 2), { scale: 1 / Math.sqrt(8), causal: true, returnWeights: true }).weights!;
    expectClose(shared.weights!.data, want.data, 1e-14, 1e-15);
    const comp = quaternionAttention(q, k, v, { variant: 'componentwise', heads: 2, returnWeights: true });
    expect(comp.weights!.dims).toEqual([2, 2, 4, 5, 7]);
    // Each component map's rows sum to one; the output is Σ_j A_c[i, j]·V_c[j] (checked through the value identity).
    const w = comp.weights!.data;
    for (let row = 0; row < w.length / 7; row++) expect(w.slice(row * 7, row * 7 + 7).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const onesV = { data: new Float64Array(v.data.length).fill(1), dims: v.dims };
    expectClose(quaternionAttention(q, k, onesV, { variant: 'componentwise', heads: 2 }).output.data, new Float64Array(q.data.length).fill(1), 1e-14);
  });
});
