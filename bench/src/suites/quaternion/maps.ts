import { autograd, noGrad } from 'softmax';
import { quaternionAttention, type QuaternionTransformerLM } from 'softmax';
import type { QuaternionMaps } from './illustration-types.js';

/** JS(p ‖ q) in bits of two distributions over the same keys. */
export function jsDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < p.length; j++) {
    const m = (p[j] + q[j]) / 2;
    if (p[j] > 0) s += 0.5 * p[j] * Math.log2(p[j] / m);
    if (q[j] > 0) s += 0.5 * q[j] * Math.log2(q[j] / m);
  }
  return Math.max(0, s);
}

const rowsOf = (data: ArrayLike<number>, offset: number, l: number): number[][] => Array.from({ length: l }, (_, i) => Array.from({ length: l }, (_, j) => data[offset + i * l + j]));

/** Mean over query rows with at least two kept keys (row i ≥ 1 under the causal mask). */
function meanJs(a: number[][], b: number[][]): number {
  let s = 0;
  for (let i = 1; i < a.length; i++) s += jsDivergence(a[i], b[i]);
  return a.length > 1 ? s / (a.length - 1) : 0;
}

/**
 * The four component maps of layer 0, head 0 of a trained component-wise quaternion LM on one input,
 * the shared map softmax(Re(Q ⊗ K*)/√(4d_h)) of the same (normalised) queries and keys, and the mean
 * Jensen–Shannon divergences between them.
 */
export function attentionMaps(model: QuaternionTransformerLM, ids: Int32Array, label: (id: number) => string, source: string): QuaternionMaps {
  return noGrad(() => {
    const l = ids.length;
    const block = model.blocks[0];
    const h = block.norm1.forward(autograd.add(model.tokens.forward({ data: ids, dims: [1, l] }), model.positions.forward(Int32Array.from({ length: l }, (_, i) => i))));
    let q = block.attention.query.forward(h);
    let k = block.attention.key.forward(h);
    if (block.attention.queryNorm && block.attention.keyNorm) {
      q = block.attention.queryNorm.forward(q);
      k = block.attention.keyNorm.forward(k);
    }
    const heads = block.attention.heads;
    const comp = quaternionAttention(q, k, k, { variant: 'componentwise', heads, causal: true, returnWeights: true }).weights!;
    const shared = quaternionAttention(q, k, k, { variant: 'shared', heads, causal: true, returnWeights: true }).weights!;
    const components = [0, 1, 2, 3].map((c) => rowsOf(comp.data, c * l * l, l)); // head 0: maps 0..3
    const sharedMap = rowsOf(shared.data, 0, l);
    return {
      tokens: Array.from(ids, label),
      components,
      shared: sharedMap,
      jsComponents: components.map((a) => components.map((b) => meanJs(a, b))),
      jsShared: components.map((a) => meanJs(a, sharedMap)),
      source,
    };
  });
}
