import type { Labels } from './labelledRows.js';
import { optionsObject } from '../tensor/options.js';
import type { FloatArray, Input } from '../tensor/types.js';
import { fenchelYoungLoss, fenchelYoungLossVjp, type FenchelYoungLossOptions, type FenchelYoungLossVjpOptions } from './entmaxLoss.js';

export type SparsemaxLossOptions = FenchelYoungLossOptions;
export type SparsemaxLossVjpOptions = FenchelYoungLossVjpOptions;

function sparsemaxLossForward(logits: Input, labels: Labels, opts?: SparsemaxLossOptions): number | FloatArray {
  return fenchelYoungLoss(logits, labels, optionsObject(opts), 2);
}

function sparsemaxLossVjp(_y: number | Input, dy: number | ArrayLike<number>, opts: SparsemaxLossVjpOptions): FloatArray | { data: FloatArray; dims: number[] } {
  return fenchelYoungLossVjp(dy, optionsObject(opts), 2, 'sparsemaxLoss');
}

/**
 * The sparsemax loss (Martins & Astudillo, "From Softmax to Sparsemax", ICML 2016): the Fenchel–Young
 * loss of Ω(p) = ½‖p‖² − ½ on the simplex, on logits z and class labels y,
 *
 *   L(z, y) = Ω*(z) + Ω(e_y) − z_y = ⟨z, p⟩ − ½‖p‖² + ½ − z_y,  p = sparsemax(z)
 *           = −z_y + ½ Σ_{j∈S} (z_j² − θ²) + ½  (the paper's form; S the support, θ the threshold).
 *
 * Convex, Huber-like (quadratic near the decision boundary, linear far from it), L ≥ 0, and L = 0 exactly
 * when sparsemax(z) = e_y, i.e. when z_y ≥ z_j + 1 for every j ≠ y. Computed as Σ_j p_j (z_j − z_y) +
 * ½ Σ_j p_j (1 − p_j) (shift-invariant), clamped at 0 against rounding.
 *
 * - `logits`: `{ data, dims: [..., classes] }` (rows = product of the leading dims) or one row.
 * - `labels`: one integer per row in [0, classes), or `ignoreIndex` (default −100, PyTorch).
 * - Options: `reduction` (`'mean'` default over rows not ignored, `'sum'`, `'none'`), `ignoreIndex`.
 *   Returns a number for `'mean'` (NaN if every row is ignored) and `'sum'`, or per-row losses in the
 *   logits' float type for `'none'`. A row holding NaN or +∞ gives NaN.
 * - O(n) expected per row (sparsemax by Condat's algorithm), float64 accumulation.
 *
 * `sparsemaxLoss.vjp(y, dy, { x: logits, labels, ...options })` returns d loss / d logits:
 * scale_r·(sparsemax(z_r) − e_{y_r}), scale_r = dy (sum), dy / (rows not ignored) (mean) or dy[r] (none);
 * ignored rows get 0.
 *
 * @example sparsemaxLoss([0.5, 1, 1.2], 1, { reduction: 'sum' }) // 0.6·0.2 + ½(0.24 + 0.24) = 0.36 (p = [0, 0.4, 0.6])
 */
export const sparsemaxLoss = Object.assign(sparsemaxLossForward, { vjp: sparsemaxLossVjp });
