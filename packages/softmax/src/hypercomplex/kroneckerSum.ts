import { fail } from '../tensor/errors.js';
import { allocLike } from '../tensor/view.js';
import { record, type Variable } from '../train/autograd/variable.js';
import { asVariable, sameDtype, type Operand } from '../train/ops/operand.js';

/**
 * The PHM weight W = Σ_{m<n} A_m ⊗ F_m on the tape (Zhang et al., "Beyond fully-connected layers with
 * quaternions: parameterization of hypercomplex multiplications with 1/n parameters", ICLR 2021):
 * `rules` A `[n, n, n]` (A_m = rules[m], n×n), `filters` F `[n, p, s]` → W `[n·p, n·s]` with
 *   W[a·p + u, b·s + v] = Σ_m A_m[a, b]·F_m[u, v].
 * Backward (the one vjp every hypercomplex layer uses): with G = ∂L/∂W split into n×n blocks G_ab,
 *   ∂L/∂F_m = Σ_ab A_m[a, b]·G_ab,   ∂L/∂A_m[a, b] = ⟨F_m, G_ab⟩.
 * O(n³·p·s) time both ways. `rules` may be a constant (e.g. `hamiltonRules()`), then it gets no gradient.
 */
export function kroneckerSum(rules: Operand, filters: Operand): Variable {
  const f = asVariable(filters, 'filters');
  const a = asVariable(rules, 'rules', f.data);
  sameDtype(f, a, 'filters', 'rules');
  if (f.dims.length !== 3) fail('E_SHAPE', 'filters.dims', '[n, p, s]', `[${f.dims.join(', ')}]`);
  const [n, p, s] = f.dims;
  if (a.dims.length !== 3 || a.dims[0] !== n || a.dims[1] !== n || a.dims[2] !== n) fail('E_SHAPE', 'rules.dims', `[${n}, ${n}, ${n}]`, `[${a.dims.join(', ')}]`);
  const rows = n * p;
  const cols = n * s;
  const ad = a.data;
  const fd = f.data;
  const w = new Float64Array(rows * cols);
  for (let m = 0; m < n; m++) {
    for (let ai = 0; ai < n; ai++) {
      for (let bi = 0; bi < n; bi++) {
        const coef = ad[(m * n + ai) * n + bi];
        if (coef === 0) continue;
        for (let u = 0; u < p; u++) {
          const wRow = (ai * p + u) * cols + bi * s;
          const fRow = (m * p + u) * s;
          for (let v = 0; v < s; v++) w[wRow + v] += coef * fd[fRow + v];
        }
      }
    }
  }
  const out = allocLike(fd, w.length);
  out.set(w);
  return record('kroneckerSum', out, [rows, cols], [a, f], (g) => {
    const df = a.requiresGrad || f.requiresGrad ? allocLike(g, f.size) : null;
    const da = a.requiresGrad ? allocLike(g, a.size) : null;
    for (let m = 0; m < n; m++) {
      for (let ai = 0; ai < n; ai++) {
        for (let bi = 0; bi < n; bi++) {
          const coef = ad[(m * n + ai) * n + bi];
          let dot = 0;
          for (let u = 0; u < p; u++) {
            const gRow = (ai * p + u) * cols + bi * s;
            const fRow = (m * p + u) * s;
            for (let v = 0; v < s; v++) {
              const gv = g[gRow + v];
              if (df && coef !== 0) df[fRow + v] += coef * gv;
              dot += fd[fRow + v] * gv;
            }
          }
          if (da) da[(m * n + ai) * n + bi] = dot;
        }
      }
    }
    return [da, f.requiresGrad ? df : null];
  });
}
