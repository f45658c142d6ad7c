import { fail } from '../tensor/errors.js';
import type { TensorLike } from '../tensor/types.js';
import { toView } from '../tensor/view.js';
import type { QuaternionAttentionOps, QuaternionAttentionOptions } from './quaternionAttentionTypes.js';

/** Counts every multiplication and every softmax as it is executed. */
class Counter {
  multiplications = 0;
  softmaxes = 0;
  mul(a: number, b: number): number {
    this.multiplications++;
    return a * b;
  }
}

/** q ⊗ k (or q ⊗ k* with `conjugate`) of one quaternion pair with counted multiplications (16). */
function hamiltonCounted(n: Counter, q: number[], k: number[], conjugate: boolean, out: number[]): void {
  const [qr, qi, qj, qk] = q;
  const kr = k[0];
  const s = conjugate ? -1 : 1;
  const ki = s * k[1];
  const kj = s * k[2];
  const kk = s * k[3];
  out[0] = n.mul(qr, kr) - n.mul(qi, ki) - n.mul(qj, kj) - n.mul(qk, kk);
  out[1] = n.mul(qr, ki) + n.mul(qi, kr) + n.mul(qj, kk) - n.mul(qk, kj);
  out[2] = n.mul(qr, kj) - n.mul(qi, kk) + n.mul(qj, kr) + n.mul(qk, ki);
  out[3] = n.mul(qr, kk) + n.mul(qi, kj) - n.mul(qj, ki) + n.mul(qk, kr);
}

function softmaxRow(s: Float64Array, keep: (j: number) => boolean): Float64Array {
  const a = new Float64Array(s.length);
  let m = -Infinity;
  for (let j = 0; j < s.length; j++) if (keep(j)) m = Math.max(m, s[j]);
  if (m === -Infinity) return a;
  let z = 0;
  for (let j = 0; j < s.length; j++) if (keep(j)) z += (a[j] = Math.exp(s[j] - m));
  for (let j = 0; j < s.length; j++) a[j] /= z;
  return a;
}

/**
 * The instrumented reference of `quaternionAttention` (softmax normaliser, optional `causal`; no
 * `mask`): materialised L×L score maps computed directly in quaternion arithmetic, in float64, counting
 * every real multiplication that forms a score and every score map passed to a softmax. It is the
 * definition the fast path and the analytic `quaternionAttentionOpCounts` are tested against.
 * O(B·H·Lq·Lk·d_h·16) time, O(Lq·Lk) memory per map.
 */
export function quaternionAttentionReference(q: TensorLike, k: TensorLike, v: TensorLike, options: Pick<QuaternionAttentionOptions, 'variant' | 'heads' | 'causal' | 'valueProduct' | 'conjugate'> = {}): { output: { data: Float64Array; dims: number[] }; ops: QuaternionAttentionOps } {
  const qv = toView(q, 'q');
  const kv = toView(k, 'k');
  const vv = toView(v, 'v');
  if (qv.dims.length !== 3 || kv.dims.length !== 3 || vv.dims.length !== 3) fail('E_SHAPE', 'q.dims', '[batch, length, dModel] for q, k and v');
  const [batch, lq, dModel] = qv.dims;
  const lk = kv.dims[1];
  const units = dModel / 4;
  const heads = options.heads ?? 1;
  if (!Number.isInteger(units) || units % heads !== 0) fail('E_PARAM', 'heads', `an integer dividing dModel/4 (${units})`, heads);
  const dh = units / heads;
  const shared = (options.variant ?? 'shared') === 'shared';
  const hamiltonValues = options.valueProduct === 'hamilton';
  const scale = 1 / Math.sqrt(4 * dh);
  const n = new Counter();
  const out = new Float64Array(batch * lq * dModel);
  const comp = (x: typeof qv, b: number, l: number, len: number, c: number, u: number): number => x.data[(b * len + l) * dModel + c * units + u];
  const quat = (x: typeof qv, b: number, l: number, len: number, u: number): number[] => [0, 1, 2, 3].map((c) => comp(x, b, l, len, c, u));
  const maps = shared ? 1 : 4;
  const t = [0, 0, 0, 0];
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const scores = Array.from({ length: maps }, () => Array.from({ length: lq }, () => new Float64Array(lk)));
      for (let i = 0; i < lq; i++) {
        for (let j = 0; j < lk; j++) {
          for (let u = h * dh; u < (h + 1) * dh; u++) {
            const qq = quat(qv, b, i, lq, u);
            const kq = quat(kv, b, j, lk, u);
            if (shared) {
              scores[0][i][j] += n.mul(qq[0], kq[0]) + n.mul(qq[1], kq[1]) + n.mul(qq[2], kq[2]) + n.mul(qq[3], kq[3]);
            } else {
              hamiltonCounted(n, qq, kq, options.conjugate === true, t);
              for (let c = 0; c < 4; c++) scores[c][i][j] += t[c];
            }
          }
        }
      }
      const keep = (i: number) => (j: number): boolean => !options.causal || j <= i + lk - lq;
      const weights = scores.map((map) => {
        n.softmaxes++;
        return map.map((row, i) => softmaxRow(row.map((x) => x * scale), keep(i)));
      });
      for (let i = 0; i < lq; i++) {
        for (let j = 0; j < lk; j++) {
          for (let u = h * dh; u < (h + 1) * dh; u++) {
            const vq = quat(vv, b, j, lk, u);
            const o = (c: number): number => (b * lq + i) * dModel + c * units + u;
            if (shared) {
              for (let c = 0; c < 4; c++) out[o(c)] += weights[0][i][j] * vq[c];
            } else if (!hamiltonValues) {
              for (let c = 0; c < 4; c++) out[o(c)] += weights[c][i][j] * vq[c];
            } else {
              const a = [0, 1, 2, 3].map((c) => weights[c][i][j]);
              // O = A ⊗ V with the weights as a quaternion.
              out[o(0)] += a[0] * vq[0] - a[1] * vq[1] - a[2] * vq[2] - a[3] * vq[3];
              out[o(1)] += a[0] * vq[1] + a[1] * vq[0] + a[2] * vq[3] - a[3] * vq[2];
              out[o(2)] += a[0] * vq[2] - a[1] * vq[3] + a[2] * vq[0] + a[3] * vq[1];
              out[o(3)] += a[0] * vq[3] + a[1] * vq[2] - a[2] * vq[1] + a[3] * vq[0];
            }
          }
        }
      }
    }
  }
  return { output: { data: out, dims: [batch, lq, dModel] }, ops: { scoreMultiplications: n.multiplications, softmaxCalls: n.softmaxes } };
}
