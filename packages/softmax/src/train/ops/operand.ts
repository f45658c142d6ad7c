import { fail } from '../../tensor/errors.js';
import type { FloatArray, TensorLike } from '../../tensor/types.js';
import { Variable } from '../autograd/variable.js';

/** What tape operations accept: a Variable, any `{ data, dims }` tensor (a constant), or a number. */
export type Operand = Variable | TensorLike | number;

/** Wraps an operand as a Variable; numbers become constant scalars of `like`'s float type. */
export function asVariable(x: Operand, name: string, like?: FloatArray): Variable {
  if (x instanceof Variable) return x;
  if (typeof x === 'number') {
    const data = like instanceof Float32Array ? new Float32Array(1) : new Float64Array(1);
    data[0] = x;
    return new Variable(data, []);
  }
  if (typeof x !== 'object' || x === null || !('data' in x) || !('dims' in x)) fail('E_INPUT', name, 'a Variable, a { data, dims } tensor or a number', x);
  return Variable.from(x, { name });
}

/** Checks that two variables share a float type. */
export function sameDtype(a: Variable, b: Variable, nameA: string, nameB: string): void {
  if (a.data.constructor !== b.data.constructor) {
    fail('E_DTYPE', nameB, `the float type of ${nameA} (${a.data.constructor.name})`, b.data);
  }
}
