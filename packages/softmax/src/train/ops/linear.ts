import type { Variable } from '../autograd/variable.js';
import { add } from './elementwise.js';
import { matmulOp } from './matmul.js';
import type { Operand } from './operand.js';

/** y = x·Wᵀ + b for x [..., in], W [out, in], b [out] (PyTorch's `F.linear`). */
export function linear(x: Operand, weight: Operand, bias?: Operand): Variable {
  const y = matmulOp(x, weight, { transposeB: true });
  return bias === undefined ? y : add(y, bias);
}
