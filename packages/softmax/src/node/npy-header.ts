import { SoftmaxError } from '../tensor/errors.js';
import { latin1 } from './bytes.js';
import { parseDescr, SUPPORTED_DESCRS, type ParsedDescr } from './npy-dtype.js';
import { parsePythonLiteral, PyTuple, type PyValue } from './python-literal.js';

/**
 * The NPY header, per https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html:
 *
 * ```
 * \x93NUMPY  major minor  HEADER_LEN  header (a Python dict literal, space-padded, ending in '\n')
 * 6 bytes    1     1      u16 LE (1.0) / u32 LE (2.0, 3.0)
 * ```
 *
 * The dict has `descr`, `fortran_order` and `shape`. Version 3.0 differs from 2.0 only in that the
 * header is UTF-8 rather than Latin-1. The whole preamble is padded so the data starts at a multiple
 * of 64 bytes.
 */
export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);

export interface NpyHeader {
  version: 1 | 2 | 3;
  descr: ParsedDescr;
  dims: number[];
  /** Byte offset of the first data byte. */
  dataOffset: number;
}

function bad(name: string, what: string): never {
  throw new SoftmaxError('E_INPUT', `${name}: ${what}`, name);
}

function field(dict: Map<string, PyValue>, key: string, name: string): PyValue {
  if (!dict.has(key)) bad(name, `NPY header has no '${key}' entry`);
  return dict.get(key) as PyValue;
}

function toDims(shape: PyValue, name: string): number[] {
  if (!(shape instanceof PyTuple)) bad(name, `NPY header 'shape' must be a tuple of non-negative integers`);
  return shape.items.map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      bad(name, `NPY header 'shape' must be a tuple of non-negative integers, got an entry ${String(d)}`);
    }
    return d;
  });
}

/** Reads and validates the preamble and header dict of an NPY file. Throws `E_INPUT` / `E_DTYPE`. */
export function readNpyHeader(bytes: Uint8Array, name: string): NpyHeader {
  if (bytes.length < NPY_MAGIC.length || NPY_MAGIC.some((b, i) => bytes[i] !== b)) {
    bad(name, 'not an NPY file (it does not start with the magic string \\x93NUMPY)');
  }
  if (bytes.length < 10) bad(name, 'truncated NPY file (the preamble is incomplete)');
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) bad(name, `unsupported NPY format version ${major}.${bytes[7]} (expected 1.0, 2.0 or 3.0)`);
  const lengthBytes = major === 1 ? 2 : 4;
  const start = 8 + lengthBytes;
  if (bytes.length < start) bad(name, 'truncated NPY file (the header length is incomplete)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = start + headerLength;
  if (bytes.length < dataOffset) bad(name, `truncated NPY file (the header should be ${headerLength} bytes, the file ends after ${bytes.length - start})`);
  const headerBytes = bytes.subarray(start, dataOffset);
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);

  let dict: PyValue;
  try {
    dict = parsePythonLiteral(text);
  } catch (e) {
    return bad(name, `NPY header is not a valid Python dict literal (${(e as Error).message})`);
  }
  if (!(dict instanceof Map)) return bad(name, 'NPY header must be a dict');

  const rawDescr = field(dict, 'descr', name);
  if (typeof rawDescr !== 'string') {
    throw new SoftmaxError('E_DTYPE', `${name}: structured NPY dtypes are not supported (expected one of ${SUPPORTED_DESCRS})`, name);
  }
  const descr = parseDescr(rawDescr);
  if (descr === undefined) {
    throw new SoftmaxError('E_DTYPE', `${name}: unsupported NPY dtype '${rawDescr}' (expected one of ${SUPPORTED_DESCRS})`, name);
  }
  const fortran = field(dict, 'fortran_order', name);
  if (typeof fortran !== 'boolean') bad(name, `NPY header 'fortran_order' must be True or False`);
  const dims = toDims(field(dict, 'shape', name), name);
  // Fortran and C order coincide when at most one axis is longer than 1, so only reject real transposes.
  if (fortran && dims.filter((d) => d > 1).length > 1) {
    bad(name, 'Fortran-ordered (column-major) NPY arrays are not supported; save a C-ordered array (numpy.ascontiguousarray) instead');
  }
  return { version: major, descr, dims, dataOffset };
}

/** `(2, 3)`, `(5,)` or `()`: Python's repr of a shape tuple. */
function shapeRepr(dims: readonly number[]): string {
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/**
 * The complete preamble + header for an array, in the form `numpy.save` writes: version 1.0
 * unless the header does not fit a 16-bit length (then 2.0), padded with spaces and a final `\n`
 * so that the data starts at a multiple of 64 bytes.
 */
export function formatNpyHeader(descr: string, dims: readonly number[]): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(dims)}, }`;
  let major = 1;
  let preamble = 10;
  let total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  if (total - preamble > 0xffff) {
    major = 2;
    preamble = 12;
    total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  }
  const headerLength = total - preamble;
  const out = new Uint8Array(total);
  out.set(NPY_MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  const text = dict.padEnd(headerLength - 1, ' ') + '\n';
  for (let i = 0; i < text.length; i++) out[preamble + i] = text.charCodeAt(i);
  return out;
}
