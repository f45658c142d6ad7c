import { labelledRowsLoss, labelledRowsVjp, type Labels } from './labelledRows.js';
import { finiteInRange, optionsObject, positiveFinite } from '../tensor/options.js';
import type { FloatArray, Input, TensorLike } from '../tensor/types.js';

export interface ZLossOptions {
  /** Softness a > 0 of the softplus (a → ∞: the hinge max(0, b − ẑ)). Default 0.1. */
  a?: number;
  /** Margin b: the z-score of the true class beyond which the loss flattens out. Default 10. */
  b?: number;
  /** `'mean'` (default; over rows not ignored), `'sum'`, or `'none'` (one loss per row). */
  reduction?: 'mean' | 'sum' | 'none';
  /** Rows with this label contribute no loss and no gradient. Default −100 (as crossEntropy). */
  ignoreIndex?: number;
}

export interface ZLossVjpOptions extends ZLossOptions {
  /** The logits the loss was computed from (required). */
  x: Input;
  /** The labels the loss was computed with (required). */
  labels: Labels;
  /** Write the gradient here (the logits' float type and size). */
  out?: FloatArray | TensorLike;
}

interface RowZ {
  mean: number;
  /** Population standard deviation σ (0 for a constant row). */
  sd: number;
  finite: boolean;
}

function rowMoments(x: FloatArray, o: number, n: number): RowZ {
  let sum = 0;
  for (let i = o; i < o + n; i++) {
    if (!Number.isFinite(x[i])) return { mean: NaN, sd: NaN, finite: false };
    sum += x[i];
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = o; i < o + n; i++) ss += (x[i] - mean) * (x[i] - mean);
  return { mean, sd: Math.sqrt(ss / n), finite: true };
}

/** softplus(t) = log(1 + e^t) without overflow. */
function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

function zParams(o: ZLossOptions): { a: number; b: number } {
  return { a: positiveFinite(o.a, 'a', 0.1), b: finiteInRange(o.b, 'b', -Number.MAX_VALUE, Number.MAX_VALUE, 10) };
}

function zLossForward(logits: Input, labels: Labels, opts?: ZLossOptions): number | FloatArray {
  const o = optionsObject(opts);
  const { a, b } = zParams(o);
  return labelledRowsLoss(logits, labels, o, (x, off, n, y) => {
    const { mean, sd, finite } = rowMoments(x, off, n);
    if (!finite) return NaN;
    const z = sd > 0 ? (x[off + y] - mean) / sd : 0;
    return softplus(a * (b - z)) / a;
  });
}

/**
 * Gradient of the Z-loss w.r.t. the logits: with t = a(b − ẑ_c),
 * dL/do_k = −sigmoid(t)·(δ_kc − 1/C − ẑ_c·ẑ_k/C)/σ, scaled by the upstream gradient per row. Ignored and
 * constant rows get 0; rows with a non-finite logit get NaN. O(C) per row.
 */
function zLossVjp(_y: number | Input, dy: number | ArrayLike<number>, opts: ZLossVjpOptions): FloatArray | { data: FloatArray; dims: number[] } {
  const o = optionsObject(opts);
  const { a, b } = zParams(o);
  return labelledRowsVjp('zLoss', dy, o, (x, off, n, y, scale, g) => {
    const { mean, sd, finite } = rowMoments(x, off, n);
    if (!finite || !(sd > 0)) {
      g.fill(finite ? 0 : NaN, off, off + n);
      return;
    }
    const zc = (x[off + y] - mean) / sd;
    const k = (-scale * sigmoid(a * (b - zc))) / sd;
    for (let i = 0; i < n; i++) {
      const zi = (x[off + i] - mean) / sd;
      g[off + i] = k * ((i === y ? 1 : 0) - 1 / n - (zc * zi) / n);
    }
  });
}

/**
 * The Z-loss: z-normalise each row of logits, ẑ = (o − mean o)/σ(o) (population σ), then
 * L = softplus(a·(b − ẑ_c))/a for the true class c.
 *
 * de Brébisson & Vincent, "The Z-loss: a shift and scale invariant classification loss belonging to the
 * Spherical Family" (2016). Invariant to shifting and (positively) scaling the logits, and its value
 * does not grow with the number of classes; a sets the softness (a → ∞: hinge max(0, b − ẑ_c)), b the
 * z-score margin. Defaults a = 0.1, b = 10: our reading of the paper's experiments, not re-checked
 * against its text; tune them for your class count (ẑ_c ≤ √(C − 1), so b beyond that keeps the loss
 * in its near-linear regime).
 *
 * - `logits`: `{ data, dims: [..., classes] }` (rows = product of the leading dims) or one row.
 * - `labels`: one integer per row in [0, classes), or `ignoreIndex` (default −100). Reductions as
 *   crossEntropy: a number for `'mean'` (NaN if every row is ignored) and `'sum'`, per-row losses in the
 *   logits' float type for `'none'`.
 * - Edge cases: a constant row (σ = 0, including one class) has ẑ_c := 0, so L = softplus(a·b)/a and
 *   gradient 0. Any non-finite logit (±∞, NaN; there is no masking here) gives NaN for the row.
 * - O(C) per row, float64 accumulation.
 *
 * `zLoss.vjp(y, dy, { x: logits, labels, ...options })` returns d loss / d logits.
 *
 * @example zLoss([2, 0, -2], [0], { reduction: 'sum' }) // ẑ₀ = √1.5 → softplus(0.1·(10 − 1.2247))/0.1 = 12.2522…
 */
export const zLoss = Object.assign(zLossForward, { vjp: zLossVjp });
