import { resolveNormalizer, type Normalizer } from '../../normalizers/registry.js';
import type { FloatArray } from '../../tensor/types.js';
import { record, type Variable } from '../autograd/variable.js';
import { asVariable, type Operand } from './operand.js';

type Tensor = { data: FloatArray; dims: number[] };

/**
 * Any normalizer of the family (softmax, sparsemax, entmax, softpick, …, by registry name or object)
 * along `options.axis` (default −1) on the tape: the normalizer's own forward and `vjp`, with the
 * options passed through to both.
 */
export function normalize(input: Operand, normalizer: string | Normalizer = 'softmax', options: Record<string, unknown> = {}): Variable {
  const x = asVariable(input, 'x');
  const f = resolveNormalizer(normalizer);
  const y = f.forward(x, options) as Tensor;
  return record(f.name, y.data, y.dims, [x], (g) => {
    const dx = f.vjp(y, { data: g, dims: y.dims }, f.needsX ? { ...options, x } : options) as Tensor;
    return [dx.data];
  });
}
