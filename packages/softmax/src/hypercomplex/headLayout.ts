import type { FloatArray } from '../tensor/types.js';
import type { SignedSelection } from './attentionPlan.js';

/** Shape of a quaternion attention input `[batch, length, 4·units]` split into `heads` (d_h = units/heads). */
export interface QuaternionHeads {
  batch: number;
  length: number;
  units: number;
  heads: number;
  headUnits: number;
}

/**
 * Visits every (b, h, l, s) of the head layout with the offsets of its d_h-long segment in the blocks
 * tensor, x[b, l, from[s]·U + h·d_h ..], and in the heads tensor, y[b, h, l, s·d_h ..], and sign[s].
 */
function eachSegment(shape: QuaternionHeads, sel: SignedSelection, visit: (blockOffset: number, headOffset: number, sign: number) => void): void {
  const { batch, length, units, heads, headUnits: dh } = shape;
  const m = sel.from.length;
  const width = m * dh;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let l = 0; l < length; l++) {
        const blocks = (b * length + l) * 4 * units + h * dh;
        const head = ((b * heads + h) * length + l) * width;
        for (let s = 0; s < m; s++) visit(blocks + sel.from[s] * units, head + s * dh, sel.sign[s]);
      }
    }
  }
}

/**
 * Gathers heads with a signed component selection: `[B, L, 4U]` (blocks) → `[B, H, L, m·d_h]` with
 * out[b, h, l, s·d_h + t] = sign[s]·x[b, l, from[s]·U + h·d_h + t] (m = selection length). O(B·L·m·d_h).
 */
export function gatherHeads(x: FloatArray, shape: QuaternionHeads, sel: SignedSelection, out: FloatArray): FloatArray {
  const dh = shape.headUnits;
  eachSegment(shape, sel, (from, to, sign) => {
    for (let t = 0; t < dh; t++) out[to + t] = sign * x[from + t];
  });
  return out;
}

/** The transpose of `gatherHeads`: target[b, l, from[s]·U + h·d_h + t] += sign[s]·y[b, h, l, s·d_h + t]. */
export function scatterAddHeads(y: ArrayLike<number>, shape: QuaternionHeads, sel: SignedSelection, target: Float64Array | FloatArray): void {
  const dh = shape.headUnits;
  eachSegment(shape, sel, (to, from, sign) => {
    for (let t = 0; t < dh; t++) target[to + t] += sign * y[from + t];
  });
}
