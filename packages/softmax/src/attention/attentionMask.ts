/**
 * The attention mask: boolean (1 = keep) or additive, broadcast right-aligned (NumPy rules) against
 * `[batch, qHeads, Lq, Lk]` by strides — never expanded to the full shape. A boolean mask is turned
 * into an additive one (0 / −Infinity) of q's float type, once, at its own size.
 */
import { fail } from '../tensor/errors.js';
import { keepMaskOfArray } from '../tensor/mask.js';
import type { FloatArray } from '../tensor/types.js';
import { allocLike, isFloatArray, sizeOf } from '../tensor/view.js';
import type { AttentionMask } from './attentionTypes.js';
import { dimsText, isTensorObject, type AttentionShape } from './layout.js';

/** An additive mask and its broadcast strides along batch, q head, query row and key. */
export interface MaskPlan {
  data: FloatArray;
  sb: number;
  sh: number;
  sq: number;
  sk: number;
  /** The mask's own dims right-aligned to four axes (1 where it broadcasts). */
  dims: [number, number, number, number];
}

function booleanValues(values: unknown, name: string, like: FloatArray): Uint8Array {
  if (values instanceof Uint8Array) {
    for (let i = 0; i < values.length; i++) if (values[i] > 1) fail('E_INPUT', `${name}[${i}]`, '0 or 1 (a boolean mask)', values[i]);
    return values;
  }
  if (ArrayBuffer.isView(values)) fail('E_DTYPE', name, `a Uint8Array keep-mask or a ${like.constructor.name} additive mask`, values);
  if (!Array.isArray(values)) fail('E_INPUT', name, 'a Uint8Array, boolean[] or number[] (0/1), or float data (an additive mask)', values);
  return keepMaskOfArray(values, name);
}

/**
 * Validates the mask option and returns its additive form and broadcast strides (null = no mask).
 * `keySizes` lists the key-axis lengths accepted besides 1 (default `[s.lk]`; decoding also accepts the
 * cache capacity).
 */
export function parseMask(mask: AttentionMask | undefined, like: FloatArray, s: Pick<AttentionShape, 'batch' | 'qHeads' | 'lq' | 'lk'>, keySizes: readonly number[] = [s.lk]): MaskPlan | null {
  if (mask === undefined) return null;
  let raw: unknown;
  let mdims: readonly number[];
  if (isTensorObject(mask)) {
    raw = mask.data;
    const dims = mask.dims as unknown;
    if (!Array.isArray(dims) || dims.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
      fail('E_SHAPE', 'mask.dims', 'an array of non-negative integers', dims);
    }
    mdims = dims as number[];
    const length = (raw as { length?: unknown }).length;
    if (typeof length === 'number' && sizeOf(mdims) !== length) {
      fail('E_SHAPE', 'mask.dims', `a product equal to mask.data.length (${length})`, dimsText(mdims));
    }
  } else if (ArrayBuffer.isView(mask) || Array.isArray(mask)) {
    raw = mask;
    mdims = [(mask as ArrayLike<unknown>).length];
  } else {
    return fail('E_INPUT', 'mask', 'a boolean mask (Uint8Array, boolean[], { data, dims }) or an additive float mask { data, dims }', mask);
  }
  const name = isTensorObject(mask) ? 'mask.data' : 'mask';
  let data: FloatArray;
  if (isFloatArray(raw)) {
    if (raw.constructor !== like.constructor) fail('E_DTYPE', name, `a ${like.constructor.name} (q's float type) for an additive mask`, raw);
    data = raw;
  } else {
    const keep = booleanValues(raw, name, like);
    data = allocLike(like, keep.length);
    for (let i = 0; i < keep.length; i++) data[i] = keep[i] ? 0 : -Infinity;
  }
  const target = [s.batch, s.qHeads, s.lq, s.lk];
  const keyText = keySizes.length > 1 ? ` (key axis ${[...new Set(keySizes)].join(' or ')} or 1)` : '';
  const bad = () => fail('E_SHAPE', 'mask', `dims broadcastable to ${dimsText(target)} ([batch, qHeads, Lq, Lk], right-aligned)${keyText}`, dimsText(mdims));
  if (mdims.length > 4) bad();
  const strides = [0, 0, 0, 0];
  const full: [number, number, number, number] = [1, 1, 1, 1];
  let stride = 1;
  for (let i = mdims.length - 1; i >= 0; i--) {
    const axis = i + 4 - mdims.length;
    const md = mdims[i];
    const fits = axis === 3 ? keySizes.includes(md) : md === target[axis];
    if (fits) strides[axis] = md === 1 ? 0 : stride;
    else if (md !== 1) bad();
    full[axis] = md;
    stride *= md;
  }
  return { data, sb: strides[0], sh: strides[1], sq: strides[2], sk: strides[3], dims: full };
}

/** Offset of row i of head (b, h) in the mask data. */
export function maskRow(m: MaskPlan, b: number, h: number, i: number): number {
  return b * m.sb + h * m.sh + i * m.sq;
}
