import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SoftmaxError } from '../tensor/errors.js';
import { HOST_BIG_ENDIAN, swapBytes } from './bytes.js';

/** IDX element types (LeCun's MNIST format), by their type byte. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX array: row-major data and its dims. */
export interface IdxArray {
  type: IdxType;
  dims: number[];
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number; make: (b: ArrayBuffer, n: number) => IdxData }> = {
  0x08: { type: 'uint8', size: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  0x09: { type: 'int8', size: 1, make: (b, n) => new Int8Array(b, 0, n) },
  0x0b: { type: 'int16', size: 2, make: (b, n) => new Int16Array(b, 0, n) },
  0x0c: { type: 'int32', size: 4, make: (b, n) => new Int32Array(b, 0, n) },
  0x0d: { type: 'float32', size: 4, make: (b, n) => new Float32Array(b, 0, n) },
  0x0e: { type: 'float64', size: 8, make: (b, n) => new Float64Array(b, 0, n) },
};

function bad(name: string, what: string): never {
  throw new SoftmaxError('E_INPUT', `${name}: not a valid IDX file (${what})`, name);
}

/**
 * Parses an (uncompressed) IDX file (LeCun, Cortes & Burges, the MNIST distribution format; also Fashion-MNIST):
 * bytes 0–1 zero, byte 2 the element type (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
 * 0x0E float64), byte 3 the number of dims d, then d big-endian uint32 sizes, then the elements big-endian,
 * row-major. Returns a copy in host byte order. Throws `E_INPUT` (naming `name`) on a bad magic, unknown
 * type or a length that does not match the dims (trailing bytes included). O(bytes).
 */
export function parseIdx(bytes: Uint8Array, name = 'idx'): IdxArray {
  if (bytes.length < 4) bad(name, `${bytes.length} bytes, shorter than the 4-byte magic`);
  if (bytes[0] !== 0 || bytes[1] !== 0) bad(name, 'the magic number must start with two zero bytes');
  const spec = TYPES[bytes[2]];
  if (spec === undefined) bad(name, `unknown element type 0x${bytes[2].toString(16).padStart(2, '0')}`);
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  if (bytes.length < header) bad(name, `truncated header: ${rank} dims need ${header} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const expected = header + count * spec.size;
  if (bytes.length !== expected) bad(name, `${bytes.length} bytes where dims [${dims.join(', ')}] of ${spec.type} need ${expected}`);
  const body = new Uint8Array(count * spec.size);
  body.set(bytes.subarray(header));
  if (!HOST_BIG_ENDIAN) swapBytes(body, spec.size);
  return { type: spec.type, dims, data: spec.make(body.buffer, count) };
}

/** Gunzips `bytes` when they start with the gzip magic 1f 8b, else returns them unchanged. */
export function maybeGunzip(bytes: Uint8Array): Uint8Array {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

/**
 * Reads an IDX file, gzipped (`*.gz`, detected by its magic bytes) or not, e.g. Fashion-MNIST's
 * `t10k-images-idx3-ubyte.gz` → `{ type: 'uint8', dims: [10000, 28, 28], data }`. Throws `E_INPUT`
 * naming the path for a missing file or malformed contents.
 */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new SoftmaxError('E_INPUT', `cannot read ${path}: ${code}`, path);
    throw e;
  }
  let raw: Uint8Array;
  try {
    raw = maybeGunzip(bytes);
  } catch {
    throw new SoftmaxError('E_INPUT', `${path}: corrupt gzip data`, path);
  }
  return parseIdx(raw, path);
}
