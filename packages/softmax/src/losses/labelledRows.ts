import { fail } from '../tensor/errors.js';
import { oneOf } from '../tensor/options.js';
import type { FloatArray, Input } from '../tensor/types.js';
import { resolveOut, toView, type TensorView } from '../tensor/view.js';

/** Class labels, one per row: integers in [0, classes), or `ignoreIndex`. */
export type Labels = ArrayLike<number> | number;

/** A validated call of a loss on labelled logit rows (classes along the last axis). */
export interface LabelledRows {
  view: TensorView;
  rows: number;
  classes: number;
  labels: Int32Array;
  reduction: 'mean' | 'sum' | 'none';
  ignoreIndex: number;
  /** Rows not ignored. */
  valid: number;
}

/**
 * Validates logits `{ data, dims: [..., classes] }` (or one row), one integer label per row in
 * [0, classes) or `ignoreIndex`, and the reduction: the same rules as crossEntropy.
 */
export function parseLabelledRows(logits: Input, labels: Labels, o: { reduction?: unknown; ignoreIndex?: unknown }): LabelledRows {
  const view = toView(logits, 'logits');
  if (view.dims.length === 0) fail('E_SHAPE', 'logits', 'at least one dimension (the classes)', '[]');
  const classes = view.dims[view.dims.length - 1];
  const rows = classes === 0 ? view.dims.slice(0, -1).reduce((p, d) => p * d, 1) : view.data.length / classes;
  const reduction = oneOf(o.reduction, 'reduction', ['mean', 'sum', 'none'] as const, 'mean');
  const ignoreIndex = o.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) fail('E_PARAM', 'ignoreIndex', 'an integer', ignoreIndex);
  const list = typeof labels === 'number' ? [labels] : labels;
  if (list === null || typeof list !== 'object' || typeof list.length !== 'number') {
    fail('E_INPUT', 'labels', 'an array of integer class labels (or one number for a single row)', labels);
  }
  if (list.length !== rows) fail('E_SHAPE', 'labels', `${rows} labels (one per row of logits)`, list.length);
  const out = new Int32Array(rows);
  let valid = 0;
  for (let r = 0; r < rows; r++) {
    const y = Number(list[r]);
    out[r] = y;
    if (y === ignoreIndex) continue;
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      fail('E_PARAM', `labels[${r}]`, `an integer in [0, ${classes}) or ignoreIndex (${ignoreIndex})`, list[r]);
    }
    valid++;
  }
  return { view, rows, classes, labels: out, reduction, ignoreIndex, valid };
}

/** Per-row scale of the upstream gradient: dy[r] ('none'), dy / valid ('mean') or dy ('sum'). */
export function upstreamScales(c: LabelledRows, dy: number | ArrayLike<number>): ArrayLike<number> {
  if (c.reduction === 'none') {
    if (typeof dy === 'number' || dy.length !== c.rows) fail('E_SHAPE', 'dy', `${c.rows} values (one per row, reduction 'none')`, dy);
    return dy;
  }
  if (typeof dy !== 'number' || !Number.isFinite(dy)) fail('E_PARAM', 'dy', 'a finite number (the upstream gradient of the reduced loss)', dy);
  return new Float64Array(c.rows).fill(c.reduction === 'mean' ? dy / c.valid : dy);
}

/** Reduces per-row losses (ignored rows hold 0) as crossEntropy does. */
export function reduceLosses(c: LabelledRows, losses: Float64Array): number | FloatArray {
  if (c.reduction === 'none') return c.view.data instanceof Float32Array ? Float32Array.from(losses) : losses;
  let total = 0;
  for (let r = 0; r < c.rows; r++) total += losses[r];
  return c.reduction === 'sum' ? total : total / c.valid;
}

/** One row's gradient: write d loss/d z for row r (offset `off`, label `y`) into g, times `scale`. */
export type RowGradient = (x: FloatArray, off: number, n: number, y: number, scale: number, g: FloatArray) => void;

/**
 * The backward pass every loss on labelled rows shares: requires `opts.x` (logits) and `opts.labels`,
 * validates them as the forward pass did, scales by the upstream gradient per the reduction, zeroes
 * ignored rows, and lets `row` fill the others. Returns the gradient in the logits' form.
 */
export function labelledRowsVjp(
  name: string,
  dy: number | ArrayLike<number>,
  o: { x?: Input; labels?: Labels; out?: unknown; reduction?: unknown; ignoreIndex?: unknown },
  row: RowGradient,
): FloatArray | { data: FloatArray; dims: number[] } {
  if (o.x === undefined) fail('E_PARAM', 'x', `the logits as opts.x (${name}.vjp needs them)`);
  if (o.labels === undefined) fail('E_PARAM', 'labels', `the labels as opts.labels (${name}.vjp needs them)`);
  const c = parseLabelledRows(o.x, o.labels, o);
  const x = c.view.data;
  const n = c.classes;
  const g = resolveOut(x, x.length, o.out);
  const scales = upstreamScales(c, dy);
  for (let r = 0; r < c.rows; r++) {
    const off = r * n;
    const y = c.labels[r];
    if (y === c.ignoreIndex) g.fill(0, off, off + n);
    else row(x, off, n, y, scales[r], g);
  }
  return c.view.isRow ? g : { data: g, dims: [...c.view.dims] };
}

/**
 * The forward pass every loss on labelled rows shares: validates logits and labels, calls `row` for each
 * row not ignored (ignored rows lose 0), and reduces as crossEntropy does.
 */
export function labelledRowsLoss(
  logits: Input,
  labels: Labels,
  o: { reduction?: unknown; ignoreIndex?: unknown },
  row: (x: FloatArray, off: number, n: number, y: number) => number,
): number | FloatArray {
  const c = parseLabelledRows(logits, labels, o);
  const losses = new Float64Array(c.rows);
  for (let r = 0; r < c.rows; r++) {
    const y = c.labels[r];
    if (y !== c.ignoreIndex) losses[r] = row(c.view.data, r * c.classes, c.classes, y);
  }
  return reduceLosses(c, losses);
}
