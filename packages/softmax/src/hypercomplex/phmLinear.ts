import { fail } from '../tensor/errors.js';
import { createRng } from '../tensor/rng.js';
import { Variable } from '../train/autograd/variable.js';
import { linear } from '../train/ops/linear.js';
import { parameter } from '../train/modules/layers.js';
import { zerosOf } from '../train/modules/init.js';
import { Module } from '../train/modules/module.js';
import type { Rng } from '../tensor/rng.js';
import { hamiltonRules } from './hamiltonRules.js';
import { kroneckerSum } from './kroneckerSum.js';

export interface PHMLinearOptions {
  /** Hypercomplex dimension n ≥ 1 dividing `inFeatures` and `outFeatures` (default 4). */
  n?: number;
  /** `'learned'` (default): A_m are parameters; `'hamilton'` (n = 4): fixed Hamilton rules (= QuaternionLinear). */
  rules?: 'learned' | 'hamilton';
  /** Add a bias (default true; zero-initialised). */
  bias?: boolean;
  rng?: Rng;
  dtype?: 'float32' | 'float64';
}

/**
 * Parameterised hypercomplex multiplication layer (PHM; Zhang et al., ICLR 2021; PHNNs, Grassucci et al.
 * 2022): y = x·Wᵀ + b with W = Σ_{m<n} A_m ⊗ F_m `[out, in]`, learned "algebra rules" `rules` A
 * `[n, n, n]` and filters `filters` F `[n, out/n, in/n]`: n³ + in·out/n weights (≈ 1/n of a real
 * layer). With n = 4 and fixed Hamilton rules (`rules: 'hamilton'`) it is exactly `QuaternionLinear` on
 * the same filters. Init: A_m entries N(0, 1/n), filters N(0, 2/(in + out)) so Var(W) ≈ Glorot's.
 * O(rows·in·out + n·in·out) per call; backward through `kroneckerSum` and `linear`.
 */
export class PHMLinear extends Module {
  readonly rules: Variable;
  readonly filters: Variable;
  readonly bias: Variable | null;
  readonly n: number;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: PHMLinearOptions = {}) {
    super();
    const n = options.n ?? 4;
    if (!Number.isInteger(n) || n < 1) fail('E_PARAM', 'n', 'an integer ≥ 1', n);
    for (const [v, name] of [[inFeatures, 'inFeatures'], [outFeatures, 'outFeatures']] as const) {
      if (!Number.isInteger(v) || v < 1 || v % n !== 0) fail('E_PARAM', name, `a positive multiple of n (${n})`, v);
    }
    const mode = options.rules ?? 'learned';
    if (mode !== 'learned' && mode !== 'hamilton') fail('E_PARAM', 'rules', "'learned' or 'hamilton'", mode);
    if (mode === 'hamilton' && n !== 4) fail('E_PARAM', 'n', "4 with rules: 'hamilton'", n);
    this.n = n;
    const rng = options.rng ?? createRng(0);
    const dtype = options.dtype;
    if (mode === 'hamilton') {
      this.rules = new Variable(hamiltonRules(dtype ?? 'float32'), [4, 4, 4]);
    } else {
      const a = zerosOf(n * n * n, dtype);
      const sa = 1 / Math.sqrt(n);
      for (let i = 0; i < a.length; i++) a[i] = sa * rng.normal();
      this.rules = parameter(a, [n, n, n]);
    }
    const size = (outFeatures / n) * (inFeatures / n) * n;
    const f = zerosOf(size, dtype);
    const sf = Math.sqrt(2 / (inFeatures + outFeatures));
    for (let i = 0; i < size; i++) f[i] = sf * rng.normal();
    this.filters = parameter(f, [n, outFeatures / n, inFeatures / n]);
    this.bias = options.bias === false ? null : parameter(zerosOf(outFeatures, dtype), [outFeatures]);
  }

  forward(x: Variable): Variable {
    return linear(x, kroneckerSum(this.rules, this.filters), this.bias ?? undefined);
  }
}
