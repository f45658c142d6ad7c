/**
 * Gradient check for tape operations: for f(inputs) → Variable and a random cotangent w, compares the
 * tape's ∂(w·f)/∂input (one backward with seed w) with central differences of w·f in float64.
 */
import { expect } from 'vitest';
import { Variable } from '../../src/train/autograd/variable.js';
import { noGrad } from '../../src/train/autograd/gradMode.js';
import { numericGradient, rng } from '../ops/helpers.js';

export { rng };

/** A float64 leaf with requiresGrad, values uniform in [lo, hi). */
export function leaf(rand: () => number, dims: number[], lo = -1, hi = 1): Variable {
  const size = dims.reduce((a, b) => a * b, 1);
  return new Variable(Float64Array.from({ length: size }, () => lo + (hi - lo) * rand()), dims, { requiresGrad: true });
}

export function gradCheck(f: (...xs: Variable[]) => Variable, inputs: Variable[], options: { seed?: number; rtol?: number; atol?: number; h?: number } = {}): void {
  const rand = rng(options.seed ?? 99);
  const out = f(...inputs);
  const w = Float64Array.from({ length: out.size }, () => rand() * 2 - 1);
  inputs.forEach((x) => x.zeroGrad());
  out.backward(w);
  inputs.forEach((x, k) => {
    const analytic = x.grad ?? new Float64Array(x.size);
    const original = Float64Array.from(x.data);
    const numeric = numericGradient((values) => {
      x.data.set(values);
      const y = noGrad(() => f(...inputs));
      let s = 0;
      for (let i = 0; i < y.size; i++) s += w[i] * y.data[i];
      x.data.set(original); // after the sum: views such as reshape share x's data
      return s;
    }, Float64Array.from(original), options.h ?? 1e-6);
    for (let i = 0; i < x.size; i++) {
      const tol = (options.atol ?? 1e-7) + (options.rtol ?? 1e-6) * Math.abs(numeric[i]);
      if (!(Math.abs(analytic[i] - numeric[i]) <= tol)) {
        expect.fail(`input ${k}[${i}]: analytic ${analytic[i]}, numeric ${numeric[i]}`);
      }
    }
  });
}
