import { fail } from '../../tensor/errors.js';
import { checkRng, type RngLike } from '../../tensor/rng.js';
import { allocLike } from '../../tensor/view.js';
import { record, type Variable } from '../autograd/variable.js';
import { asVariable, type Operand } from './operand.js';

export interface DropoutOptions {
  /** Drop probability p in [0, 1). */
  p: number;
  /** The seeded generator that draws the keep mask (required: no hidden randomness). */
  rng: RngLike;
  /** When false (evaluation) dropout is the identity (default true). */
  training?: boolean;
}

/**
 * Inverted dropout (Srivastava et al. 2014): y = x ⊙ m/(1 − p), m_i ~ Bernoulli(1 − p) drawn from
 * `rng` in element order, so a seed reproduces the mask. The gradient uses the same mask.
 */
export function dropout(input: Operand, options: DropoutOptions): Variable {
  const x = asVariable(input, 'x');
  const { p } = options;
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) fail('E_PARAM', 'p', 'a number in [0, 1)', p);
  if (options.training === false || p === 0) return x;
  const rng = checkRng(options.rng);
  const keepScale = 1 / (1 - p);
  const factor = allocLike(x.data, x.size);
  for (let i = 0; i < factor.length; i++) factor[i] = rng.next() < p ? 0 : keepScale;
  const y = allocLike(x.data, x.size);
  for (let i = 0; i < y.length; i++) y[i] = x.data[i] * factor[i];
  return record('dropout', y, x.dims, [x], (g) => {
    const dx = allocLike(g, g.length);
    for (let i = 0; i < g.length; i++) dx[i] = g[i] * factor[i];
    return [dx];
  });
}
