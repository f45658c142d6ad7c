import { fail } from '../../tensor/errors.js';
import { allocLike } from '../../tensor/view.js';
import { record, type Variable } from '../autograd/variable.js';
import { asVariable, type Operand } from './operand.js';

/** Token ids: an integer array (any shape given by `dims`, default one row). */
export interface Indices {
  data: Int32Array | Uint32Array | Uint16Array | Uint8Array | readonly number[];
  dims?: readonly number[];
}

/**
 * Embedding lookup: out[…, :] = weight[ids[…], :] for weight [vocab, d]; output dims [...ids.dims, d].
 * The gradient scatter-adds rows into dWeight (repeated ids accumulate). Ids outside [0, vocab) throw.
 */
export function embedding(ids: Indices | readonly number[] | Int32Array, table: Operand): Variable {
  const weight = asVariable(table, 'weight');
  if (weight.dims.length !== 2) fail('E_SHAPE', 'weight', 'a [vocab, dim] matrix', `[${weight.dims.join(', ')}]`);
  const [vocab, d] = weight.dims;
  const list = Array.isArray(ids) || ArrayBuffer.isView(ids) ? (ids as ArrayLike<number>) : (ids as Indices).data;
  const idDims = Array.isArray(ids) || ArrayBuffer.isView(ids) ? [list.length] : ((ids as Indices).dims ?? [list.length]);
  const count = list.length;
  const y = allocLike(weight.data, count * d);
  for (let t = 0; t < count; t++) {
    const id = list[t];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) fail('E_PARAM', `ids[${t}]`, `an integer in [0, ${vocab})`, id);
    y.set(weight.data.subarray(id * d, (id + 1) * d), t * d);
  }
  return record('embedding', y, [...idDims, d], [weight], (g) => {
    const dw = allocLike(g, weight.size);
    for (let t = 0; t < count; t++) {
      const row = list[t] * d;
      for (let j = 0; j < d; j++) dw[row + j] += g[t * d + j];
    }
    return [dw];
  });
}
