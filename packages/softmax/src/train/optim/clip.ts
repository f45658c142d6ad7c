import { fail } from '../../tensor/errors.js';
import type { Variable } from '../autograd/variable.js';

/**
 * Global gradient-norm clipping (Pascanu et al. 2013): with N = √(Σ_p ‖∂p‖²) over all parameters'
 * gradients, scales every gradient by maxNorm/N when N > maxNorm. Returns N (before clipping); a
 * non-finite N is returned as is and nothing is scaled, so the caller can skip the step.
 */
export function clipGradNorm(parameters: Iterable<Variable>, maxNorm: number): number {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0)) fail('E_PARAM', 'maxNorm', 'a number > 0', maxNorm);
  const params = [...parameters];
  let ss = 0;
  for (const p of params) {
    const g = p.grad;
    if (g) for (let i = 0; i < g.length; i++) ss += g[i] * g[i];
  }
  const norm = Math.sqrt(ss);
  if (Number.isFinite(norm) && norm > maxNorm) {
    const c = maxNorm / norm;
    for (const p of params) {
      const g = p.grad;
      if (g) for (let i = 0; i < g.length; i++) g[i] *= c;
    }
  }
  return norm;
}
