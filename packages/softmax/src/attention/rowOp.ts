/**
 * The contract between the materialised attention path and a score normaliser: a map from a block of
 * score rows to weight rows, and its backward pass. Scores are float64, row-major `rows × n`; −∞ marks
 * a masked entry.
 */
export interface RowOp {
  readonly name: string;
  /**
   * a = f(s) row by row. Masked entries get 0, and a row with no kept key (all −∞) gets all zeros.
   * `s` is not modified.
   */
  forward(s: Float64Array, a: Float64Array, rows: number, n: number): void;
  /**
   * dS = J_f(s)ᵀ·dA row by row, given the forward output `a`. Masked entries and rows with no kept key
   * get 0. `s`, `a` and `dA` are not modified.
   */
  vjp(s: Float64Array, a: Float64Array, dA: Float64Array, dS: Float64Array, rows: number, n: number): void;
}

/** True when row r of `s` has no kept key (every entry −∞; an empty row counts as masked). */
export function rowMasked(s: Float64Array, r: number, n: number): boolean {
  for (let j = r * n; j < (r + 1) * n; j++) if (s[j] !== -Infinity) return false;
  return true;
}
