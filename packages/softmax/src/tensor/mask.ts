import { fail } from './errors.js';
import { odometerStep } from './odometer.js';
import type { MaskInput } from './types.js';
import { checkDims, sizeOf } from './view.js';

/**
 * A keep-mask given as an array of booleans or 0/1 numbers, as a Uint8Array of 0/1 (1 = keep).
 * `E_INPUT` naming `${name}[i]` for the first other entry. O(length).
 */
export function keepMaskOfArray(values: readonly unknown[], name: string): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else if (v === 0 || v === 1) out[i] = v;
    else fail('E_INPUT', `${name}[${i}]`, 'true/false or 0/1', v);
  }
  return out;
}

function maskValues(values: unknown, name: string): Uint8Array {
  if (values instanceof Uint8Array) return values;
  if (!Array.isArray(values)) fail('E_INPUT', name, 'a boolean[], number[] (0/1) or Uint8Array', values);
  return keepMaskOfArray(values, name);
}

/**
 * Expands a keep-mask (1/true = keep) to the full shape `dims`, broadcasting right-aligned by NumPy
 * rules. A bare array is treated as having dims `[length]`.
 */
export function expandMask(mask: MaskInput, dims: readonly number[], name = 'mask'): Uint8Array {
  let values: Uint8Array;
  let mdims: readonly number[];
  if (Array.isArray(mask) || mask instanceof Uint8Array) {
    values = maskValues(mask, name);
    mdims = [values.length];
  } else if (typeof mask === 'object' && mask !== null && 'data' in mask && 'dims' in mask) {
    values = maskValues(mask.data, `${name}.data`);
    mdims = checkDims(mask.dims, `${name}.dims`);
    if (sizeOf(mdims) !== values.length) fail('E_SHAPE', `${name}.dims`, `a product equal to ${name}.data.length (${values.length})`, mdims);
  } else {
    return fail('E_INPUT', name, 'a boolean[], Uint8Array or { data, dims }', mask);
  }
  const total = sizeOf(dims);
  if (mdims.length === dims.length && mdims.every((d, i) => d === dims[i])) return values;
  if (mdims.length > dims.length) fail('E_SHAPE', name, `a shape broadcastable to [${dims.join(', ')}]`, `[${mdims.join(', ')}]`);
  const offset = dims.length - mdims.length;
  const strides = new Array<number>(dims.length).fill(0);
  let stride = 1;
  for (let i = mdims.length - 1; i >= 0; i--) {
    const md = mdims[i];
    const d = dims[i + offset];
    if (md !== d && md !== 1) fail('E_SHAPE', name, `a shape broadcastable to [${dims.join(', ')}]`, `[${mdims.join(', ')}]`);
    strides[i + offset] = md === 1 ? 0 : stride;
    stride *= md;
  }
  const out = new Uint8Array(total);
  const index = new Array<number>(dims.length).fill(0);
  let src = 0;
  for (let k = 0; k < total; k++) {
    out[k] = values[src];
    src += odometerStep(index, dims, strides);
  }
  return out;
}
