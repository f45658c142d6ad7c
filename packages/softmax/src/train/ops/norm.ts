import { fail } from '../../tensor/errors.js';
import type { FloatArray } from '../../tensor/types.js';
import { allocLike } from '../../tensor/view.js';
import { record, type Variable } from '../autograd/variable.js';
import { asVariable, sameDtype, type Operand } from './operand.js';
import { rmsBackwardRows, rmsForwardRows } from './rmsRows.js';

function lastAxisRows(x: Variable, weight: Variable | null, bias: Variable | null): { rows: number; n: number } {
  if (x.dims.length === 0) fail('E_SHAPE', 'x', 'at least one dimension (normalised over the last)', '[]');
  const n = x.dims[x.dims.length - 1];
  for (const [p, name] of [[weight, 'weight'], [bias, 'bias']] as const) {
    if (p === null) continue;
    sameDtype(x, p, 'x', name);
    if (p.size !== n) fail('E_SHAPE', name, `[${n}] (the last dimension of x)`, `[${p.dims.join(', ')}]`);
  }
  return { rows: n === 0 ? 0 : x.size / n, n };
}

const optional = (p: Operand | undefined, name: string, like: FloatArray): Variable | null => (p === undefined ? null : asVariable(p, name, like));

/**
 * Layer normalisation over the last axis (Ba, Kiros & Hinton 2016): x̂ = (x − μ)/√(σ² + ε) with the
 * biased variance, y = γ ⊙ x̂ + β. Backward: dx = (ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))/√(σ² + ε) with
 * ĝ = g ⊙ γ; dγ = Σ_rows g ⊙ x̂; dβ = Σ_rows g. O(size).
 */
export function layerNorm(input: Operand, weight?: Operand, bias?: Operand, eps = 1e-5): Variable {
  const x = asVariable(input, 'x');
  const w = optional(weight, 'weight', x.data);
  const b = optional(bias, 'bias', x.data);
  const { rows, n } = lastAxisRows(x, w, b);
  const xd = x.data;
  const y = allocLike(xd, x.size);
  const gamma = w ? w.data : new Float64Array(n).fill(1);
  const beta = b ? b.data : new Float64Array(n);
  const xhat = allocLike(xd, x.size);
  const invStd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let mu = 0;
    for (let i = 0; i < n; i++) mu += xd[o + i];
    mu /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (xd[o + i] - mu) ** 2;
    const inv = 1 / Math.sqrt(v / n + eps);
    invStd[r] = inv;
    for (let i = 0; i < n; i++) {
      const h = (xd[o + i] - mu) * inv;
      xhat[o + i] = h;
      y[o + i] = h * gamma[i] + beta[i];
    }
  }
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  return record('layerNorm', y, x.dims, inputs, (g) => {
    const dx = allocLike(g, x.size);
    const dw = w ? allocLike(g, n) : null;
    const db = b ? allocLike(g, n) : null;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let meanG = 0;
      let meanGH = 0;
      for (let i = 0; i < n; i++) {
        const gh = g[o + i] * gamma[i];
        meanG += gh;
        meanGH += gh * xhat[o + i];
      }
      if (dw) for (let i = 0; i < n; i++) dw[i] += g[o + i] * xhat[o + i];
      if (db) for (let i = 0; i < n; i++) db[i] += g[o + i];
      meanG /= n;
      meanGH /= n;
      const inv = invStd[r];
      for (let i = 0; i < n; i++) dx[o + i] = (g[o + i] * gamma[i] - meanG - xhat[o + i] * meanGH) * inv;
    }
    return [dx, ...(w ? [dw] : []), ...(b ? [db] : [])];
  });
}

/**
 * RMS normalisation over the last axis (Zhang & Sennrich 2019): y = γ ⊙ x / r, r = √(mean(x²) + ε).
 * Backward: dx = ĝ/r − x·mean(ĝ ⊙ x)/r³ with ĝ = g ⊙ γ; dγ = Σ_rows g ⊙ x/r. O(size).
 */
export function rmsNorm(input: Operand, weight?: Operand, eps = 1e-6): Variable {
  const x = asVariable(input, 'x');
  const w = optional(weight, 'weight', x.data);
  const { rows, n } = lastAxisRows(x, w, null);
  const xd = x.data;
  const y = allocLike(xd, x.size);
  const gamma = w ? w.data : new Float64Array(n).fill(1);
  const invRms = new Float64Array(rows);
  rmsForwardRows(xd, y, invRms, rows, n, n, n, gamma, eps);
  return record('rmsNorm', y, x.dims, w ? [x, w] : [x], (g) => {
    const dx = allocLike(g, x.size);
    const dw = w ? allocLike(g, n) : null;
    rmsBackwardRows(g, xd, invRms, rows, n, n, n, gamma, dx, dw);
    return w ? [dx, dw] : [dx];
  });
}
