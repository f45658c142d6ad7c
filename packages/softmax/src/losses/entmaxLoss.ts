import { entmaxAlpha, entmaxRow } from '../normalizers/entmax.js';
import { labelledRowsLoss, labelledRowsVjp, type Labels } from './labelledRows.js';
import { optionsObject } from '../tensor/options.js';
import type { FloatArray, Input, TensorLike } from '../tensor/types.js';

/** Options every Fenchel–Young loss takes (as `crossEntropy`). */
export interface FenchelYoungLossOptions {
  /** `'mean'` (default; over rows not ignored), `'sum'`, or `'none'` (one loss per row). */
  reduction?: 'mean' | 'sum' | 'none';
  /** Rows with this label contribute no loss and no gradient. Default −100 (PyTorch). */
  ignoreIndex?: number;
}

/** Options of the backward pass of a Fenchel–Young loss (as `crossEntropy.vjp`). */
export interface FenchelYoungLossVjpOptions extends FenchelYoungLossOptions {
  /** The logits the loss was computed from (required). */
  x: Input;
  /** The labels the loss was computed with (required). */
  labels: Labels;
  /** Write the gradient here (the logits' float type and size). */
  out?: FloatArray | TensorLike;
}

export interface EntmaxLossOptions extends FenchelYoungLossOptions {
  /** α ≥ 1 (finite) of the Tsallis entropy: 1 gives cross-entropy, 2 the sparsemax loss. Default 1.5. */
  alpha?: number;
}

export interface EntmaxLossVjpOptions extends FenchelYoungLossVjpOptions {
  alpha?: number;
}

/** The Tsallis α-entropy term of one probability p > 0: (p − p^α)/(α(α−1)), −p log p at α = 1. */
function tsallisTerm(p: number, alpha: number): number {
  if (alpha === 1) return -p * Math.log(p);
  if (alpha === 2) return 0.5 * p * (1 - p);
  const eps = alpha - 1;
  // p − p^α = −p·expm1((α−1) log p): no cancellation as α → 1.
  return (-p * Math.expm1(eps * Math.log(p))) / (alpha * eps);
}

/**
 * The Fenchel–Young loss of one row with its prediction p = entmax_α(z):
 * L = Ω*(z) + Ω(e_y) − z_y = Σ_j p_j (z_j − z_y) + H^T_α(p) (Ω(e_y) = 0), clamped at 0 against rounding.
 */
function fyLossRow(x: FloatArray, o: number, p: Float64Array, n: number, label: number, alpha: number): number {
  const zy = x[o + label];
  let lin = 0;
  let ent = 0;
  for (let j = 0; j < n; j++) {
    const pj = p[j];
    if (pj > 0) {
      lin += pj * (x[o + j] - zy);
      ent += tsallisTerm(pj, alpha);
    } else if (pj !== pj) {
      return NaN;
    }
  }
  const loss = lin + ent;
  return loss > 0 ? loss : loss !== loss ? NaN : 0;
}


/** The forward pass shared by `entmaxLoss` and `sparsemaxLoss`. */
export function fenchelYoungLoss(logits: Input, labels: Labels, o: Partial<FenchelYoungLossOptions>, alpha: number): number | FloatArray {
  let p = new Float64Array(0);
  return labelledRowsLoss(logits, labels, o, (x, off, n, y) => {
    if (p.length !== n) p = new Float64Array(n);
    entmaxRow(x, off, p, 0, n, 1, alpha);
    return fyLossRow(x, off, p, n, y, alpha);
  });
}

/** The backward pass shared by `entmaxLoss` and `sparsemaxLoss`: scale_r·(entmax_α(z_r) − e_{y_r}). */
export function fenchelYoungLossVjp(
  dy: number | ArrayLike<number>,
  o: Partial<FenchelYoungLossVjpOptions>,
  alpha: number,
  name: string,
): FloatArray | { data: FloatArray; dims: number[] } {
  let p = new Float64Array(0);
  return labelledRowsVjp(name, dy, o, (x, off, n, y, scale, g) => {
    if (p.length !== n) p = new Float64Array(n);
    entmaxRow(x, off, p, 0, n, 1, alpha);
    p[y] -= 1;
    for (let i = 0; i < n; i++) g[off + i] = scale * p[i];
  });
}

function entmaxLossForward(logits: Input, labels: Labels, opts?: EntmaxLossOptions): number | FloatArray {
  const o = optionsObject(opts);
  return fenchelYoungLoss(logits, labels, o, entmaxAlpha(o.alpha));
}

function entmaxLossVjp(_y: number | Input, dy: number | ArrayLike<number>, opts: EntmaxLossVjpOptions): FloatArray | { data: FloatArray; dims: number[] } {
  const o = optionsObject(opts);
  return fenchelYoungLossVjp(dy, o, entmaxAlpha(o.alpha), 'entmaxLoss');
}

/**
 * The entmax loss: the Fenchel–Young loss of the Tsallis α-entropy (Blondel, Martins & Niculae,
 * "Learning with Fenchel–Young Losses", JMLR 2020; Peters, Niculae & Martins 2019), on logits z and
 * class labels y:
 *
 *   L(z, y) = Ω*(z) + Ω(e_y) − z_y = Σ_j p_j (z_j − z_y) + H^T_α(p),  p = entmax_α(z),
 *   Ω = −H^T_α,  H^T_α(p) = Σ_j (p_j − p_j^α)/(α(α−1))  (Shannon entropy at α = 1).
 *
 * Convex in z, L ≥ 0, and L = 0 exactly when entmax_α(z) = e_y (a large enough margin for α > 1).
 * α = 1 is cross-entropy (logSumExp(z) − z_y), α = 2 the sparsemax loss (see `sparsemaxLoss`).
 *
 * - `logits`: `{ data, dims: [..., classes] }` (rows = product of the leading dims) or one row.
 * - `labels`: one integer per row in [0, classes), or `ignoreIndex` (default −100, PyTorch).
 * - Options: `alpha` (finite, ≥ 1, default 1.5), `reduction` (`'mean'` default over rows not ignored,
 *   `'sum'`, `'none'`), `ignoreIndex`. Returns a number for `'mean'` (NaN if every row is ignored) and
 *   `'sum'`, or per-row losses in the logits' float type for `'none'`.
 * - Computed in float64 row by row (entmax as `entmax`: O(n) expected per row); values are clamped at 0
 *   against rounding. A row holding NaN or +∞ gives NaN; z_y = −∞ gives +∞.
 *
 * `entmaxLoss.vjp(y, dy, { x: logits, labels, alpha, ...options })` returns d loss / d logits:
 * scale_r·(entmax_α(z_r) − e_{y_r}) (Danskin), scale_r = dy (sum), dy / (rows not ignored) (mean) or dy[r]
 * (none); ignored rows get 0.
 *
 * @example entmaxLoss([0, 1, 3], 2, { alpha: 1.5 }) // 0 (entmax15 is already one-hot on class 2)
 */
export const entmaxLoss = Object.assign(entmaxLossForward, { vjp: entmaxLossVjp });
