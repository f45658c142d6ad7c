import { fail } from '../../tensor/errors.js';
import type { FloatArray } from '../../tensor/types.js';
import { allocLike, sizeOf } from '../../tensor/view.js';

/** The NumPy broadcast of two shapes (right-aligned; a dimension of 1 stretches). */
export function broadcastDims(a: readonly number[], b: readonly number[], nameA = 'a', nameB = 'b'): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail('E_SHAPE', `${nameA}, ${nameB}`, 'shapes that broadcast (NumPy rules)', `[${a.join(', ')}] and [${b.join(', ')}]`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `dims` read as a broadcast operand of `outDims`: 0 along stretched or missing axes. */
export function broadcastStrides(dims: readonly number[], outDims: readonly number[]): number[] {
  const strides = new Array<number>(outDims.length).fill(0);
  let stride = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const axis = outDims.length - dims.length + i;
    strides[axis] = dims[i] === 1 && outDims[axis] !== 1 ? 0 : stride;
    stride *= dims[i];
  }
  return strides;
}

/** True when `dims` equals the trailing dimensions of `outDims` (ignoring leading 1s): a block repeated along the leading axes. */
export function isTrailing(dims: readonly number[], outDims: readonly number[]): boolean {
  let start = 0;
  while (start < dims.length && dims[start] === 1) start++;
  const rest = dims.length - start;
  for (let i = 0; i < rest; i++) if (dims[start + i] !== outDims[outDims.length - rest + i]) return false;
  return true;
}

/**
 * Calls `visit(outIndex, aIndex, bIndex)` for every element of `outDims`, with the flat indices of the
 * two broadcast operands. The innermost axis is a tight loop; an odometer advances the outer axes.
 */
export function forEachBroadcast(
  outDims: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
  visit: (o: number, ia: number, ib: number) => void,
): void {
  const total = sizeOf(outDims);
  if (total === 0) return;
  const rank = outDims.length;
  if (rank === 0) {
    visit(0, 0, 0);
    return;
  }
  const inner = outDims[rank - 1];
  const sa = aStrides[rank - 1];
  const sb = bStrides[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < total; o += inner) {
    for (let j = 0; j < inner; j++) visit(o + j, ia + j * sa, ib + j * sb);
    for (let ax = rank - 2; ax >= 0; ax--) {
      index[ax]++;
      ia += aStrides[ax];
      ib += bStrides[ax];
      if (index[ax] < outDims[ax]) break;
      ia -= aStrides[ax] * index[ax];
      ib -= bStrides[ax] * index[ax];
      index[ax] = 0;
    }
  }
}

/**
 * The gradient of a broadcast operand: `g` (shaped `outDims`) summed over the axes along which an
 * operand of shape `dims` was stretched. Returns `g` itself when nothing was broadcast.
 */
export function sumToShape(g: FloatArray, outDims: readonly number[], dims: readonly number[]): FloatArray {
  const size = sizeOf(dims);
  if (size === g.length && dims.length === outDims.length) return g;
  const out = allocLike(g, size);
  if (size > 0 && isTrailing(dims, outDims)) {
    // A bias-like operand (dims a suffix of outDims): sum consecutive blocks.
    for (let o = 0; o < g.length; o += size) for (let i = 0; i < size; i++) out[i] += g[o + i];
    return out;
  }
  const strides = broadcastStrides(dims, outDims);
  forEachBroadcast(outDims, strides, strides, (o, i) => {
    out[i] += g[o];
  });
  return out;
}
