import { rope as ropeKernel, type RopeOptions } from '../../attention/rope.js';
import { record, type Variable } from '../autograd/variable.js';
import { asVariable, type Operand } from './operand.js';

/**
 * Rotary position embedding on the tape (see the library's `rope`): x [..., length, headDim] with
 * position offset + t on the length axis; the backward is `rope.vjp` (the inverse rotation).
 */
export function rope(input: Operand, options: Omit<RopeOptions, 'out'> = {}): Variable {
  const x = asVariable(input, 'x');
  const { base, offset } = options;
  const y = ropeKernel(x, { base, offset });
  return record('rope', y.data, y.dims, [x], (g) => [ropeKernel.vjp({ data: g, dims: y.dims }, { base, offset }).data]);
}
