import { axisLayout, moveAxisLast, normalizeAxis, restoreAxis, type AxisLayout } from '../tensor/axis.js';
import { expandMask } from '../tensor/mask.js';
import { optionsObject, positiveFinite } from '../tensor/options.js';
import type { FloatArray, Input, MaskInput } from '../tensor/types.js';
import { fail } from '../tensor/errors.js';
import { allocLike, resolveOut, toView, type TensorView } from '../tensor/view.js';

/** Options every row-wise op takes. */
export interface RowwiseOptions {
  /** The axis to normalise over; negative counts from the end. Default −1. */
  axis?: number;
  /** Divide the scores by this (> 0) first: softmax(x / temperature). Default 1. */
  temperature?: number;
  /** Keep-mask (true/1 = keep), same shape as x or broadcastable; dropped entries act as −∞. */
  mask?: MaskInput;
}

/** A validated row-wise call: the input view, the axis layout and the inverse temperature. */
export interface RowwiseCall {
  view: TensorView;
  axis: number;
  layout: AxisLayout;
  /** Inverse temperature 1/τ. */
  s: number;
  mask: Uint8Array | null;
}

export function parseRowwise(x: Input, opts: RowwiseOptions | undefined, name = 'x'): RowwiseCall {
  const view = toView(x, name);
  const o = optionsObject(opts);
  const axis = normalizeAxis(o.axis ?? -1, view.dims.length);
  const s = 1 / positiveFinite(o.temperature, 'temperature', 1);
  const mask = o.mask === undefined ? null : expandMask(o.mask, view.dims);
  return { view, axis, layout: axisLayout(view.dims, axis), s, mask };
}

/** The input data with −∞ written where the mask drops an entry (a copy; the input is never mutated). */
function maskedData(data: FloatArray, mask: Uint8Array | null): FloatArray {
  if (!mask) return data;
  const out = allocLike(data, data.length);
  for (let i = 0; i < data.length; i++) out[i] = mask[i] ? data[i] : -Infinity;
  return out;
}

/**
 * Runs a rows kernel `(x, y, rows, n)` over the call's axis, writing into `out` in the input's layout:
 * applies the mask, and moves a non-last axis to the end and back (the one place that happens).
 */
export function mapRows(call: RowwiseCall, out: FloatArray, kernel: (x: FloatArray, y: FloatArray, rows: number, n: number) => void): void {
  const { layout } = call;
  const src = maskedData(call.view.data, call.mask);
  if (layout.inner === 1) {
    kernel(src, out, layout.outer, layout.n);
    return;
  }
  const tmp = moveAxisLast(src, allocLike(src, src.length), layout);
  kernel(tmp, tmp, layout.outer * layout.inner, layout.n);
  restoreAxis(tmp, out, layout);
}

/**
 * Runs a reducing rows kernel `(x, out, rows, n)` (one value per row) over the call's axis; `out` has
 * outer·inner entries in the order of the reduced shape.
 */
export function reduceRows(call: RowwiseCall, out: FloatArray, kernel: (x: FloatArray, out: FloatArray, rows: number, n: number) => void): void {
  const { layout } = call;
  const src = maskedData(call.view.data, call.mask);
  const rows = layout.outer * layout.inner;
  if (layout.inner === 1) {
    kernel(src, out, rows, layout.n);
    return;
  }
  kernel(moveAxisLast(src, allocLike(src, src.length), layout), out, rows, layout.n);
}

/** Dims with the axis removed (or kept as 1). */
export function reducedDims(dims: readonly number[], axis: number, keepDims: boolean): number[] {
  return keepDims ? dims.map((d, i) => (i === axis ? 1 : d)) : dims.filter((_, i) => i !== axis);
}

/**
 * Validates a backward call's `y` and `dy` (same dims and float type) and runs
 * `kernel(y, dy, dx, rows, n)` on contiguous rows along the axis, writing dx in the input's layout.
 * `extra` arrays (e.g. the forward input) of the same shape are moved along with y and dy.
 */
export function vjpRows(
  y: Input,
  dy: Input,
  opts: (RowwiseOptions & { out?: unknown }) | undefined,
  kernel: (y: FloatArray, dy: FloatArray, dx: FloatArray, rows: number, n: number, s: number, extra: FloatArray[], call: RowwiseCall) => void,
  extraInputs: Input[] = [],
  extraNames: string[] = [],
): { call: RowwiseCall; dx: FloatArray } {
  const call = parseRowwise(y, opts, 'y');
  const dyView = toView(dy, 'dy');
  const views = [dyView, ...extraInputs.map((e, i) => toView(e, extraNames[i] ?? 'x'))];
  const names = ['dy', ...extraNames];
  views.forEach((v, i) => {
    if (v.dims.length !== call.view.dims.length || v.dims.some((d, j) => d !== call.view.dims[j])) {
      shapeError(names[i], call.view.dims, v.dims);
    }
    if (v.data.constructor !== call.view.data.constructor) {
      dtypeError(names[i], call.view.data);
    }
  });
  const o = optionsObject(opts);
  const dx = resolveOut(call.view.data, call.view.data.length, o.out);
  const { layout } = call;
  const rows = layout.outer * layout.inner;
  // Extra inputs (the forward x) see the mask exactly as the forward pass did: −∞ where dropped.
  const extras = views.slice(1).map((v) => maskedData(v.data, call.mask));
  if (layout.inner === 1) {
    kernel(call.view.data, dyView.data, dx, rows, layout.n, call.s, extras, call);
    return { call, dx };
  }
  const move = (a: FloatArray) => moveAxisLast(a, allocLike(a, a.length), layout);
  const tmp = allocLike(dx, dx.length);
  kernel(move(call.view.data), move(dyView.data), tmp, rows, layout.n, call.s, extras.map(move), call);
  restoreAxis(tmp, dx, layout);
  return { call, dx };
}

function shapeError(name: string, want: readonly number[], got: readonly number[]): never {
  return fail('E_SHAPE', name, `dims [${want.join(', ')}] (the shape of y)`, `[${got.join(', ')}]`);
}

function dtypeError(name: string, like: FloatArray): never {
  return fail('E_DTYPE', name, `a ${like.constructor.name} (the float type of y)`);
}
