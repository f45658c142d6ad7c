import { fail } from '../../tensor/errors.js';
import { normalizeAxis } from '../../tensor/axis.js';
import { odometerStep } from '../../tensor/odometer.js';
import type { FloatArray } from '../../tensor/types.js';
import { allocLike, checkDims, sizeOf } from '../../tensor/view.js';
import { record, type Variable } from '../autograd/variable.js';
import { asVariable, sameDtype, type Operand } from './operand.js';

/** Row-major strides of a shape. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

/**
 * The same data under another shape (one entry may be −1: inferred). No copy; the gradient is the
 * output gradient reshaped back.
 */
export function reshape(input: Operand, dims: readonly number[]): Variable {
  const x = asVariable(input, 'x');
  const free = dims.indexOf(-1);
  let shape = [...dims];
  if (free >= 0) {
    const known = sizeOf(dims.filter((_, i) => i !== free));
    if (dims.indexOf(-1, free + 1) >= 0 || known === 0 || x.size % known !== 0) fail('E_SHAPE', 'dims', `a shape with at most one −1 that fits ${x.size} elements`, `[${dims.join(', ')}]`);
    shape[free] = x.size / known;
  }
  shape = [...checkDims(shape, 'dims')];
  if (sizeOf(shape) !== x.size) fail('E_SHAPE', 'dims', `a shape of ${x.size} elements (from [${x.dims.join(', ')}])`, `[${dims.join(', ')}]`);
  return record('reshape', x.data, shape, [x], (g) => [g]);
}

/**
 * Copies `src` (shape `dims`) permuted by `perm` into a new array: out[…i_perm…] = src[…i…]. When the
 * last axis stays last (e.g. splitting heads, [B, L, H, d] → [B, H, L, d]) whole rows are block-copied.
 */
function permute(src: FloatArray, dims: readonly number[], perm: readonly number[]): FloatArray {
  const out = allocLike(src, src.length);
  const rank = dims.length;
  const inStrides = stridesOf(dims);
  const keepsLast = rank > 0 && perm[rank - 1] === rank - 1;
  const run = keepsLast ? dims[rank - 1] : 1; // elements copied per step
  const axes = keepsLast ? rank - 1 : rank; // odometer over these output axes
  const outDims = perm.map((p) => dims[p]);
  const readStride = perm.map((p) => inStrides[p]);
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let o = 0; o < out.length; o += run) {
    if (run === 1) out[o] = src[from];
    else out.set(src.subarray(from, from + run), o);
    from += odometerStep(index, outDims, readStride, axes);
  }
  return out;
}

/**
 * Permutes axes: output axis i is input axis perm[i] (default: reverse). Copies; the gradient is the
 * inverse permutation of the output gradient.
 */
export function transpose(input: Operand, perm?: readonly number[]): Variable {
  const x = asVariable(input, 'x');
  const rank = x.dims.length;
  const p = perm ? perm.map((a, i) => normalizeAxis(a, rank, `perm[${i}]`)) : x.dims.map((_, i) => rank - 1 - i);
  if (p.length !== rank || new Set(p).size !== rank) fail('E_AXIS', 'perm', `a permutation of ${rank} axes`, perm);
  const inverse = new Array<number>(rank);
  p.forEach((a, i) => (inverse[a] = i));
  const dims = p.map((a) => x.dims[a]);
  return record('transpose', permute(x.data, x.dims, p), dims, [x], (g) => [permute(g, dims, inverse)]);
}

/** Outer × axis × inner decomposition used by slice and concat. */
function around(dims: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(dims.slice(0, axis)), inner: sizeOf(dims.slice(axis + 1)) };
}

/**
 * x[…, start:end, …] along `axis` (negative start/end count from the end, as in Python). The gradient
 * scatters into zeros.
 */
export function slice(input: Operand, axis: number, start: number, end?: number): Variable {
  const x = asVariable(input, 'x');
  const ax = normalizeAxis(axis, x.dims.length);
  const n = x.dims[ax];
  const clampIndex = (i: number, name: string): number => {
    if (!Number.isInteger(i)) fail('E_PARAM', name, 'an integer', i);
    return Math.min(n, Math.max(0, i < 0 ? i + n : i));
  };
  const lo = clampIndex(start, 'start');
  const hi = Math.max(lo, clampIndex(end ?? n, 'end'));
  const len = hi - lo;
  const { outer, inner } = around(x.dims, ax);
  const dims = x.dims.map((d, i) => (i === ax ? len : d));
  const y = allocLike(x.data, outer * len * inner);
  for (let o = 0; o < outer; o++) y.set(x.data.subarray((o * n + lo) * inner, (o * n + hi) * inner), o * len * inner);
  return record('slice', y, dims, [x], (g) => {
    const dx = allocLike(g, x.size);
    for (let o = 0; o < outer; o++) dx.set(g.subarray(o * len * inner, (o + 1) * len * inner), (o * n + lo) * inner);
    return [dx];
  });
}

/** Joins variables along `axis` (all other dims equal). The gradient splits back into the parts. */
export function concat(inputs: readonly Operand[], axis: number): Variable {
  if (!Array.isArray(inputs) || inputs.length === 0) fail('E_INPUT', 'inputs', 'a non-empty array of tensors', inputs);
  const parts = inputs.map((t, i) => asVariable(t, `inputs[${i}]`));
  const first = parts[0];
  const ax = normalizeAxis(axis, first.dims.length);
  parts.forEach((p, i) => {
    sameDtype(first, p, 'inputs[0]', `inputs[${i}]`);
    const same = p.dims.length === first.dims.length && p.dims.every((d, j) => j === ax || d === first.dims[j]);
    if (!same) fail('E_SHAPE', `inputs[${i}].dims`, `[${first.dims.map((d, j) => (j === ax ? '*' : d)).join(', ')}]`, `[${p.dims.join(', ')}]`);
  });
  const total = parts.reduce((s, p) => s + p.dims[ax], 0);
  const dims = first.dims.map((d, i) => (i === ax ? total : d));
  const { outer, inner } = around(first.dims, ax);
  const y = allocLike(first.data, outer * total * inner);
  let offset = 0;
  const offsets = parts.map((p) => {
    const at = offset;
    offset += p.dims[ax];
    return at;
  });
  parts.forEach((p, k) => {
    const n = p.dims[ax] * inner;
    for (let o = 0; o < outer; o++) y.set(p.data.subarray(o * n, (o + 1) * n), (o * total + offsets[k]) * inner);
  });
  return record('concat', y, dims, parts, (g) =>
    parts.map((p, k) => {
      if (!p.requiresGrad) return null;
      const n = p.dims[ax] * inner;
      const dp = allocLike(g, p.size);
      for (let o = 0; o < outer; o++) dp.set(g.subarray((o * total + offsets[k]) * inner, (o * total + offsets[k]) * inner + n), o * n);
      return dp;
    }),
  );
}
