import { backendFor } from '../kernels/dispatch.js';
import { fail } from '../tensor/errors.js';
import { moveAxisLast, restoreAxis } from '../tensor/axis.js';
import { optionsObject } from '../tensor/options.js';
import type { FloatArray, Input, TensorLike } from '../tensor/types.js';
import { allocLike, resolveOut, toView } from '../tensor/view.js';
import { parseRowwise, reducedDims, reduceRows, type RowwiseOptions } from './rowwise.js';

export interface LogSumExpOptions extends RowwiseOptions {
  /** Keep the reduced axis with size 1 (tensors only). Default false. */
  keepDims?: boolean;
  out?: FloatArray | TensorLike;
}

export interface LogSumExpVjpOptions extends LogSumExpOptions {
  /** The forward input (required: the output alone does not determine the gradient). */
  x: Input;
}

/** A row gives a number; a tensor gives the reduced tensor in its float type. */
export type LogSumExpOutput<I> = I extends TensorLike<infer T> ? { data: T; dims: number[] } : number;

function logSumExpForward<I extends Input>(x: I, opts?: LogSumExpOptions): LogSumExpOutput<I> {
  const call = parseRowwise(x, opts);
  const o = optionsObject(opts);
  const { layout, view } = call;
  const count = layout.outer * layout.inner;
  const backend = backendFor(view.data);
  if (view.isRow) {
    const one = new Float64Array(1);
    reduceRows(call, one, (src, dst, rows, n) => backend.logSumExpRows(src, dst, rows, n, call.s));
    return (view.data instanceof Float32Array ? Math.fround(one[0]) : one[0]) as LogSumExpOutput<I>;
  }
  const out = resolveOut(view.data, count, o.out);
  reduceRows(call, out, (src, dst, rows, n) => backend.logSumExpRows(src, dst, rows, n, call.s));
  return { data: out, dims: reducedDims(view.dims, call.axis, o.keepDims === true) } as LogSumExpOutput<I>;
}

/**
 * Backward of log-sum-exp: dx_i = dy · exp(x_i/τ − y) / τ (the softmax, scaled). `y` and `dy` have the
 * reduced shape (numbers for a row); the forward input is `opts.x`. Masked entries get 0.
 */
function logSumExpVjp(y: number | Input, dy: number | Input, opts: LogSumExpVjpOptions): FloatArray | { data: FloatArray; dims: number[] } {
  const o = optionsObject(opts);
  if (o.x === undefined) fail('E_PARAM', 'x', 'the forward input as opts.x (logSumExp.vjp needs it)');
  const call = parseRowwise(o.x, opts, 'x');
  const { layout, view } = call;
  const count = layout.outer * layout.inner;
  const yv = reducedValues(y, 'y', count);
  const gv = reducedValues(dy, 'dy', count);
  const dx = resolveOut(view.data, view.data.length, o.out);
  let src = view.data;
  const keep = call.mask;
  if (keep) {
    src = allocLike(src, src.length);
    for (let i = 0; i < src.length; i++) src[i] = keep[i] ? view.data[i] : -Infinity;
  }
  const n = layout.n;
  const rows = layout.inner === 1 ? src : moveAxisLast(src, allocLike(src, src.length), layout);
  const grad = layout.inner === 1 ? dx : allocLike(dx, dx.length);
  for (let r = 0; r < count; r++) {
    const scale = gv[r] * call.s;
    for (let i = r * n; i < (r + 1) * n; i++) grad[i] = scale * Math.exp(call.s * rows[i] - yv[r]);
  }
  if (layout.inner !== 1) restoreAxis(grad, dx, layout);
  return view.isRow ? dx : { data: dx, dims: [...view.dims] };
}

function reducedValues(v: number | Input, name: string, count: number): ArrayLike<number> {
  if (typeof v === 'number') {
    if (count !== 1) fail('E_SHAPE', name, `${count} values (the reduced shape)`, v);
    return [v];
  }
  const view = toView(v, name);
  if (view.data.length !== count) fail('E_SHAPE', name, `${count} values (the reduced shape)`, view.data.length);
  return view.data;
}

/**
 * log Σ_i exp(x_i/τ) along an axis, computed as m + log Σ exp(x_i/τ − m). A row gives a number, a tensor
 * a tensor without the axis (`keepDims` keeps it as 1). Empty or all-(−∞) rows give −∞; +∞ gives +∞; NaN
 * gives NaN (torch.logsumexp). Float32 inputs: float64 accumulation, result within 2e-6·max(1, |y|).
 * `logSumExp.vjp(y, dy, { x })` is the backward pass.
 */
export const logSumExp = Object.assign(logSumExpForward, { vjp: logSumExpVjp });
