import { matmul, type MatmulOptions } from '../../ops/matmul.js';
import { record, type Variable } from '../autograd/variable.js';
import { asVariable, sameDtype, type Operand } from './operand.js';

/**
 * Batched matrix product on the tape (the library's `matmul`, with NumPy batch broadcasting and
 * optional transposes), backward by `matmul.vjp`.
 */
export function matmulOp(a: Operand, b: Operand, options: Pick<MatmulOptions, 'transposeA' | 'transposeB'> = {}): Variable {
  const va = asVariable(a, 'a');
  const vb = asVariable(b, 'b', va.data);
  sameDtype(va, vb, 'a', 'b');
  const y = matmul(va, vb, options);
  return record('matmul', y.data, y.dims, [va, vb], (g) => {
    const { da, db } = matmul.vjp(va, vb, { data: g, dims: y.dims }, options);
    return [da.data, db.data];
  });
}
