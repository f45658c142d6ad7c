import { backendFor } from '../kernels/dispatch.js';
import { fail } from '../tensor/errors.js';
import { finiteInRange, oneOf, optionsObject } from '../tensor/options.js';
import type { FloatArray, Input, TensorLike } from '../tensor/types.js';
import { resolveOut, toView, type TensorView } from '../tensor/view.js';

/** Class labels, one per row: integers in [0, classes), or `ignoreIndex`. */
export type Labels = ArrayLike<number> | number;

export interface CrossEntropyOptions {
  /** `'mean'` (default; over rows not ignored), `'sum'`, or `'none'` (one loss per row). */
  reduction?: 'mean' | 'sum' | 'none';
  /** ε ∈ [0, 1]: the target is (1 − ε)·onehot + ε/C (PyTorch's label_smoothing). Default 0. */
  labelSmoothing?: number;
  /** Rows with this label contribute no loss and no gradient. Default −100 (PyTorch). */
  ignoreIndex?: number;
}

export interface CrossEntropyVjpOptions extends CrossEntropyOptions {
  /** The logits the loss was computed from (required). */
  x: Input;
  /** The labels the loss was computed with (required). */
  labels: Labels;
  /** Write the gradient here (the logits' float type and size). */
  out?: FloatArray | TensorLike;
}

interface ParsedCall {
  view: TensorView;
  rows: number;
  classes: number;
  labels: Int32Array;
  reduction: 'mean' | 'sum' | 'none';
  eps: number;
  ignoreIndex: number;
  valid: number;
}

function parseCall(logits: Input, labels: Labels, opts: CrossEntropyOptions | undefined): ParsedCall {
  const view = toView(logits, 'logits');
  if (view.dims.length === 0) fail('E_SHAPE', 'logits', 'at least one dimension (the classes)', '[]');
  const classes = view.dims[view.dims.length - 1];
  const rows = classes === 0 ? view.dims.slice(0, -1).reduce((a, b) => a * b, 1) : view.data.length / classes;
  const o = optionsObject(opts);
  const reduction = oneOf(o.reduction, 'reduction', ['mean', 'sum', 'none'] as const, 'mean');
  const eps = finiteInRange(o.labelSmoothing, 'labelSmoothing', 0, 1, 0);
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
  return { view, rows, classes, labels: out, reduction, eps, ignoreIndex, valid };
}

/** Per-row losses in float64; ignored rows give 0. One read of each row (plus one for Σz when ε > 0). */
function rowLosses(c: ParsedCall): Float64Array {
  const { view, rows, classes: n, eps } = c;
  const x = view.data;
  const backend = backendFor(x);
  const losses = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const y = c.labels[r];
    if (y === c.ignoreIndex) continue;
    const o = r * n;
    const { m, d } = backend.rowStats(x, o, n, 1);
    const lse = m + Math.log(d);
    let loss = lse - x[o + y];
    if (eps > 0) {
      let sum = 0;
      for (let i = o; i < o + n; i++) sum += x[i];
      loss = lse - (1 - eps) * x[o + y] - (eps / n) * sum;
    }
    losses[r] = loss;
  }
  return losses;
}

function crossEntropyForward(logits: Input, labels: Labels, opts?: CrossEntropyOptions): number | FloatArray {
  const c = parseCall(logits, labels, opts);
  const losses = rowLosses(c);
  if (c.reduction === 'none') return c.view.data instanceof Float32Array ? Float32Array.from(losses) : losses;
  let total = 0;
  for (let r = 0; r < c.rows; r++) total += losses[r];
  return c.reduction === 'sum' ? total : total / c.valid;
}

/**
 * Gradient of the loss w.r.t. the logits: scale_r·(softmax(z_r) − (1 − ε)·onehot(y_r) − ε/C), with
 * scale_r = dy (sum), dy / (rows not ignored) (mean) or dy[r] (none); ignored rows get 0. Recomputes the
 * row statistics (flash-style) and writes the gradient row by row: extra memory O(1) per row.
 */
function crossEntropyVjp(_y: number | Input, dy: number | ArrayLike<number>, opts: CrossEntropyVjpOptions): FloatArray | { data: FloatArray; dims: number[] } {
  const o = optionsObject(opts);
  if (o.x === undefined) fail('E_PARAM', 'x', 'the logits as opts.x (crossEntropy.vjp needs them)');
  if (o.labels === undefined) fail('E_PARAM', 'labels', 'the labels as opts.labels (crossEntropy.vjp needs them)');
  const c = parseCall(o.x, o.labels, o);
  const { view, rows, classes: n, eps } = c;
  const x = view.data;
  const g = resolveOut(x, x.length, o.out);
  let scales: ArrayLike<number>;
  if (c.reduction === 'none') {
    if (typeof dy === 'number' || dy.length !== rows) fail('E_SHAPE', 'dy', `${rows} values (one per row, reduction 'none')`, dy);
    scales = dy;
  } else {
    if (typeof dy !== 'number' || !Number.isFinite(dy)) fail('E_PARAM', 'dy', 'a finite number (the upstream gradient of the reduced loss)', dy);
    const s = c.reduction === 'mean' ? dy / c.valid : dy;
    scales = new Float64Array(rows).fill(s);
  }
  const backend = backendFor(x);
  for (let r = 0; r < rows; r++) {
    const o0 = r * n;
    const y = c.labels[r];
    if (y === c.ignoreIndex) {
      g.fill(0, o0, o0 + n);
      continue;
    }
    const scale = scales[r];
    const { m, d } = backend.rowStats(x, o0, n, 1);
    backend.expScale(x, o0, g, o0, n, 1, m, scale / d, (-scale * eps) / n);
    g[o0 + y] -= scale * (1 - eps);
  }
  return view.isRow ? g : { data: g, dims: [...view.dims] };
}

/**
 * Fused cross-entropy from logits: loss_r = logSumExp(z_r) − (1 − ε)·z_{r,y_r} − (ε/C)·Σ_j z_{r,j}, computed
 * row by row with the online normaliser, so the probability matrix is never stored: extra memory is
 * O(rows) (the per-row losses; O(1) for 'mean'/'sum' beyond those), never O(rows × classes).
 *
 * - `logits`: `{ data, dims: [..., classes] }` (rows = product of the leading dims) or one row.
 * - `labels`: one integer per row in [0, classes), or `ignoreIndex` (default −100, PyTorch).
 * - Returns a number for `'mean'` (NaN if every row is ignored, as PyTorch) and `'sum'`, or per-row
 *   losses in the logits' float type for `'none'`.
 *
 * `crossEntropy.vjp(y, dy, { x: logits, labels, ...options })` returns d loss / d logits.
 */
export const crossEntropy = Object.assign(crossEntropyForward, { vjp: crossEntropyVjp });
