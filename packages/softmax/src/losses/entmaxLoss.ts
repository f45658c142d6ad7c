import { entmaxAlpha, entmaxRow } from '../normalizers/entmax.js';
import type { Labels } from '../ops/crossEntropy.js';
import { fail } from '../tensor/errors.js';
import { oneOf, optionsObject } from '../tensor/options.js';
import type { FloatArray, Input, TensorLike } from '../tensor/types.js';
import { resolveOut, toView, type TensorView } from '../tensor/view.js';

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

interface ParsedLossCall {
  view: TensorView;
  rows: number;
  classes: number;
  labels: Int32Array;
  reduction: 'mean' | 'sum' | 'none';
  ignoreIndex: number;
  valid: number;
}

/** Validates logits ([..., classes], rows = the product of the leading dims), labels and the options. */
function parseLossCall(logits: Input, labels: Labels, o: Partial<FenchelYoungLossOptions>): ParsedLossCall {
  const view = toView(logits, 'logits');
  if (view.dims.length === 0) fail('E_SHAPE', 'logits', 'at least one dimension (the classes)', '[]');
  const classes = view.dims[view.dims.length - 1];
  const rows = classes === 0 ? view.dims.slice(0, -1).reduce((a, b) => a * b, 1) : view.data.length / classes;
  const reduction = oneOf(o.reduction, 'reduction', ['mean', 'sum', 'none'] as const, 'mean');
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) fail('E_PARAM', 'ignoreIndex', 'an integer', ignoreIndex);
  const list = typeof labels === 'number' ? [labels] : labels;
  if (list === null || typeof list !== 'object' || typeof list.length !== 'number') {
    fail('E_INPUT', 'labels', 'an array of integer class labels (or one number for a single row)', labels);
  }
  if (list.length !== rows) fail('E_SHAPE', 'labels', `${rows} labels (one per row of logits)`, list.length);
  const out = new Int32Array(rows);
  let valid = 0;
  for (let r = 0; r < rows; r++) {
    const y = Number(list[r]);
    if (y === ignoreIndex) {
      out[r] = y;
      continue;
    }
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      fail('E_PARAM', `labels[${r}]`, `an integer in [0, ${classes}) or ignoreIndex (${ignoreIndex})`, list[r]);
    }
    out[r] = y;
    valid++;
  }
  return { view, rows, classes, labels: out, reduction, ignoreIndex, valid };
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

/** Per-row losses (float64; ignored rows give 0). */
function rowLosses(c: ParsedLossCall, alpha: number): Float64Array {
  const { view, rows, classes: n } = c;
  const x = view.data;
  const losses = new Float64Array(rows);
  const p = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const label = c.labels[r];
    if (label === c.ignoreIndex) continue;
    const o = r * n;
    entmaxRow(x, o, p, 0, n, 1, alpha);
    losses[r] = fyLossRow(x, o, p, n, label, alpha);
  }
  return losses;
}

/** The forward pass shared by `entmaxLoss` and `sparsemaxLoss`. */
export function fenchelYoungLoss(logits: Input, labels: Labels, o: Partial<FenchelYoungLossOptions>, alpha: number): number | FloatArray {
  const c = parseLossCall(logits, labels, o);
  const losses = rowLosses(c, alpha);
  if (c.reduction === 'none') return c.view.data instanceof Float32Array ? Float32Array.from(losses) : losses;
  let total = 0;
  for (let r = 0; r < c.rows; r++) total += losses[r];
  return c.reduction === 'sum' ? total : total / c.valid;
}

/** The backward pass shared by `entmaxLoss` and `sparsemaxLoss`: scale_r·(entmax_α(z_r) − e_{y_r}). */
export function fenchelYoungLossVjp(
  dy: number | ArrayLike<number>,
  o: Partial<FenchelYoungLossVjpOptions>,
  alpha: number,
  name: string,
): FloatArray | { data: FloatArray; dims: number[] } {
  if (o.x === undefined) fail('E_PARAM', 'x', `the logits as opts.x (${name}.vjp needs them)`);
  if (o.labels === undefined) fail('E_PARAM', 'labels', `the labels as opts.labels (${name}.vjp needs them)`);
  const c = parseLossCall(o.x, o.labels, o);
  const { view, rows, classes: n } = c;
  const x = view.data;
  const g = resolveOut(x, x.length, o.out);
  let scales: ArrayLike<number>;
  if (c.reduction === 'none') {
    if (typeof dy === 'number' || dy.length !== rows) fail('E_SHAPE', 'dy', `${rows} values (one per row, reduction 'none')`, dy);
    scales = dy;
  } else {
    if (typeof dy !== 'number' || !Number.isFinite(dy)) fail('E_PARAM', 'dy', 'a finite number (the upstream gradient of the reduced loss)', dy);
    scales = new Float64Array(rows).fill(c.reduction === 'mean' ? dy / c.valid : dy);
  }
  const p = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const o0 = r * n;
    const label = c.labels[r];
    if (label === c.ignoreIndex) {
      g.fill(0, o0, o0 + n);
      continue;
    }
    entmaxRow(x, o0, p, 0, n, 1, alpha);
    const scale = scales[r];
    p[label] -= 1;
    for (let i = 0; i < n; i++) g[o0 + i] = scale * p[i];
  }
  return view.isRow ? g : { data: g, dims: [...view.dims] };
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
