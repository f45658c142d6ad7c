import { fail } from '../tensor/errors.js';
import { allocLike } from '../tensor/view.js';
import { record, type Variable } from '../train/autograd/variable.js';
import { zerosOf } from '../train/modules/init.js';
import { parameter } from '../train/modules/layers.js';
import { Module } from '../train/modules/module.js';
import { asVariable, sameDtype, type Operand } from '../train/ops/operand.js';
import { rmsBackwardRows, rmsForwardRows } from '../train/ops/rmsRows.js';
import { quaternionUnits } from './layout.js';
import { quaternionWidth } from './quaternionLinear.js';

/**
 * Quaternion RMS normalisation over the last axis (`[r | i | j | k]` blocks of U units): every row is
 * divided by the root mean squared quaternion modulus and each quaternion unit is scaled by a real γ_u
 * (a real scale keeps a quaternion's direction, so the components of a unit are never mixed):
 *   ρ = √((1/U)·Σ_u |x_u|² + ε),   y_{c,u} = γ_u·x_{c,u}/ρ
 * (|x_u|² = Σ_c x_{c,u}²; the quaternion normalisation used on queries and keys by Yamauchi, Nitta &
 * Tamori, ICML 2026; RMSNorm: Zhang & Sennrich 2019). `weight` γ `[U]` optional (1 when omitted).
 * Backward, with ĝ = g ⊙ γ: dx = ĝ/ρ − x·Σ(ĝ ⊙ x)/(U·ρ³), dγ_u = Σ_rows Σ_c g_{c,u} x_{c,u}/ρ.
 * A zero row gives y = 0 (ρ = √ε). O(size).
 */
export function quaternionRmsNorm(input: Operand, weight?: Operand, eps = 1e-6): Variable {
  const x = asVariable(input, 'x');
  if (x.dims.length === 0) fail('E_SHAPE', 'x', 'at least one dimension (normalised over the last)', '[]');
  const units = quaternionUnits(x.dims, 'x');
  const w = weight === undefined ? null : asVariable(weight, 'weight', x.data);
  if (w) {
    sameDtype(x, w, 'x', 'weight');
    if (w.size !== units) fail('E_SHAPE', 'weight', `[${units}] (one scale per quaternion unit)`, `[${w.dims.join(', ')}]`);
  }
  if (!(eps >= 0)) fail('E_PARAM', 'eps', 'a number ≥ 0', eps);
  const width = 4 * units;
  const rows = width === 0 ? 0 : x.size / width;
  const xd = x.data;
  const y = allocLike(xd, x.size);
  const inv = new Float64Array(rows);
  // Component c of unit u sits at c·U + u and gets γ_u: γ repeats with period U along the row.
  const gamma = w ? w.data : new Float64Array(units).fill(1);
  rmsForwardRows(xd, y, inv, rows, width, units, units, gamma, eps);
  return record('quaternionRmsNorm', y, x.dims, w ? [x, w] : [x], (g) => {
    const dx = allocLike(g, x.size);
    const dw = w ? allocLike(g, units) : null;
    rmsBackwardRows(g, xd, inv, rows, width, units, units, gamma, dx, dw);
    return w ? [dx, dw] : [dx];
  });
}

/** Quaternion RMS normalisation (see `quaternionRmsNorm`) with a learned γ `[dim/4]` (ones). */
export class QuaternionRMSNorm extends Module {
  readonly weight: Variable;

  constructor(readonly dim: number, readonly eps = 1e-6, options: { dtype?: 'float32' | 'float64' } = {}) {
    super();
    quaternionWidth(dim, 'dim');
    this.weight = parameter(zerosOf(dim / 4, options.dtype).fill(1), [dim / 4]);
  }

  forward(x: Variable): Variable {
    return quaternionRmsNorm(x, this.weight, this.eps);
  }
}
