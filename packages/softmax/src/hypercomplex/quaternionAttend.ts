import type { FloatArray } from '../tensor/types.js';
import { record, type Variable } from '../train/autograd/variable.js';
import { asVariable, type Operand } from '../train/ops/operand.js';
import { quaternionAttention } from './quaternionAttention.js';
import type { QuaternionAttentionOptions } from './quaternionAttentionTypes.js';

/**
 * Quaternion self-attention on the tape: `quaternionAttention` forward (either variant, any normaliser,
 * masks, causal) and `quaternionAttention.vjp` backward for q, k and v. Shapes `[batch, length, dModel]`
 * in `[r | i | j | k]` blocks. `countOps` is ignored here.
 */
export function quaternionAttend(q: Operand, k: Operand, v: Operand, options: Omit<QuaternionAttentionOptions, 'countOps'> = {}): Variable {
  const vq = asVariable(q, 'q');
  const vk = asVariable(k, 'k');
  const vv = asVariable(v, 'v');
  const opts = { ...options, countOps: false };
  const y = quaternionAttention(vq, vk, vv, opts).output;
  return record('quaternionAttention', y.data, y.dims, [vq, vk, vv], (g): FloatArray[] => {
    const grads = quaternionAttention.vjp(vq, vk, vv, { data: g, dims: y.dims }, opts);
    return [grads.dq.data, grads.dk.data, grads.dv.data];
  });
}
