import { SoftmaxError, fail } from '../tensor/errors.js';
import { checkDims, sizeOf } from '../tensor/view.js';
import { HOST_BIG_ENDIAN, swapBytes } from './bytes.js';
import { descrOf, viewAs, type NpyData, type NpyDtype } from './npy-dtype.js';
import { formatNpyHeader, readNpyHeader } from './npy-header.js';

export type { NpyData, NpyDtype } from './npy-dtype.js';

/** A decoded NPY array. `dtype` is the file's NumPy type (e.g. `int64` even though `data` is an Int32Array). */
export interface NpyArray {
  data: NpyData;
  dims: number[];
  dtype: NpyDtype;
}

/** Converts int64 values to an Int32Array, failing on the first value outside the int32 range. */
function narrowInt64(bytes: Uint8Array, name: string): Int32Array {
  const wide = new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  const out = new Int32Array(wide.length);
  for (let i = 0; i < wide.length; i++) {
    const v = wide[i];
    if (v < -2147483648n || v > 2147483647n) {
      throw new SoftmaxError('E_DTYPE', `${name}: int64 value ${v} at flat index ${i} does not fit in int32 (only int64 arrays whose values fit in int32 are supported)`, name);
    }
    out[i] = Number(v);
  }
  return out;
}

/**
 * Decodes an NPY file (format versions 1.0, 2.0 and 3.0). C order only; big-endian files are
 * byte-swapped. The returned data is a fresh copy that does not alias `bytes`. `name` (usually the file
 * path) prefixes every error message.
 *
 * Errors: `E_INPUT` for a bad magic string, malformed header, Fortran order, truncated or over-long data;
 * `E_DTYPE` for an element type outside the table in `npy-dtype.ts` or int64 values that do not fit int32.
 */
export function parseNpy(bytes: Uint8Array, name = 'npy data'): NpyArray {
  const { descr, dims, dataOffset } = readNpyHeader(bytes, name);
  const count = sizeOf(dims);
  const expected = count * descr.itemSize;
  const available = bytes.length - dataOffset;
  if (available < expected) {
    throw new SoftmaxError('E_INPUT', `${name}: truncated NPY file (shape (${dims.join(', ')}) of ${descr.dtype} needs ${expected} data bytes, the file has ${available})`, name);
  }
  if (available > expected) {
    throw new SoftmaxError('E_INPUT', `${name}: ${available - expected} unexpected bytes after the NPY data (shape (${dims.join(', ')}) of ${descr.dtype} needs ${expected})`, name);
  }
  // Copy into a fresh, aligned buffer that we can swap in place and view directly. (Not `bytes.slice`:
  // on a Node Buffer that is a view of the shared buffer, not a copy.)
  const raw = new Uint8Array(expected);
  raw.set(bytes.subarray(dataOffset, dataOffset + expected));
  if (descr.bigEndian !== HOST_BIG_ENDIAN) swapBytes(raw, descr.itemSize);
  if (descr.dtype === 'int64') return { data: narrowInt64(raw, name), dims, dtype: descr.dtype };
  const out = viewAs(descr.dtype, raw.buffer);
  if (descr.dtype === 'bool') {
    for (let i = 0; i < out.length; i++) out[i] = out[i] === 0 ? 0 : 1;
  }
  return { data: out, dims, dtype: descr.dtype };
}

/**
 * Encodes a C-ordered array as NPY in the layout `numpy.save` uses: version 1.0 (2.0 if the header needs
 * more than 65535 bytes), little-endian, the header dict space-padded so the data starts at a multiple of
 * 64 bytes. (For ordinary shapes the bytes equal NumPy 2.4's; NumPy may pad a header by up to 21 more
 * spaces, which readers ignore.)
 *
 * Errors: `E_DTYPE` for an array type without an NPY form, `E_SHAPE` when `dims` does not match the length.
 */
export function encodeNpy(array: { data: NpyData; dims: readonly number[] }): Uint8Array {
  const { data } = array;
  const descr = ArrayBuffer.isView(data) ? descrOf(data) : undefined;
  if (descr === undefined) fail('E_DTYPE', 'data', 'a Float32Array, Float64Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint16Array or Uint32Array', data);
  const dims = checkDims(array.dims, 'dims');
  if (sizeOf(dims) !== data.length) fail('E_SHAPE', 'dims', `dims whose product equals data.length (${data.length})`, `[${dims.join(', ')}]`);
  const header = formatNpyHeader(descr, dims);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  const body = out.subarray(header.length);
  body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (HOST_BIG_ENDIAN) swapBytes(body, data.BYTES_PER_ELEMENT);
  return out;
}
