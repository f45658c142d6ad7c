import { normalizeAxis } from '../../tensor/axis.js';
import { allocLike, sizeOf } from '../../tensor/view.js';
import { record, type Variable } from '../autograd/variable.js';
import { broadcastStrides, forEachBroadcast } from './broadcast.js';
import { asVariable, type Operand } from './operand.js';

export interface ReduceOptions {
  /** Axes to reduce (negative allowed); default all. */
  axes?: number | readonly number[];
  /** Keep reduced axes as size 1 (default false). */
  keepDims?: boolean;
}

function reduceWith(op: string, input: Operand, options: ReduceOptions, weight: (count: number) => number): Variable {
  const x = asVariable(input, 'x');
  const rank = x.dims.length;
  const list = options.axes === undefined ? x.dims.map((_, i) => i) : typeof options.axes === 'number' ? [options.axes] : [...options.axes];
  const axes = new Set(list.map((a, i) => normalizeAxis(a, rank, `axes[${i}]`)));
  const kept = x.dims.map((d, i) => (axes.has(i) ? 1 : d));
  const dims = options.keepDims ? kept : x.dims.filter((_, i) => !axes.has(i));
  const count = x.size / Math.max(1, sizeOf(kept));
  const w = weight(count);
  const y = allocLike(x.data, sizeOf(kept));
  const strides = broadcastStrides(kept, x.dims);
  const xd = x.data;
  forEachBroadcast(x.dims, strides, strides, (i, o) => {
    y[o] += xd[i];
  });
  if (w !== 1) for (let i = 0; i < y.length; i++) y[i] *= w;
  return record(op, y, dims, [x], (g) => {
    const dx = allocLike(g, x.size);
    forEachBroadcast(x.dims, strides, strides, (i, o) => {
      dx[i] = g[o] * w;
    });
    return [dx];
  });
}

/** Σ over `axes` (default all). ∂/∂x = g broadcast back. */
export function sum(x: Operand, options: ReduceOptions = {}): Variable {
  return reduceWith('sum', x, options, () => 1);
}

/** Mean over `axes` (default all): Σ / count. ∂/∂x = g / count broadcast back. */
export function mean(x: Operand, options: ReduceOptions = {}): Variable {
  return reduceWith('mean', x, options, (count) => 1 / count);
}
