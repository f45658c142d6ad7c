import { fail } from '../../tensor/errors.js';
import type { FloatArray, TensorLike } from '../../tensor/types.js';
import { checkDims, isFloatArray, sizeOf } from '../../tensor/view.js';

/** Element types read and written. F16 and BF16 are read (widened to float32), never written. */
export type SafetensorsDtype = 'F32' | 'F64' | 'F16' | 'BF16';

/** A tensor read from a safetensors file, with the dtype it was stored as. */
export interface StoredTensor {
  data: FloatArray;
  dims: number[];
  dtype: SafetensorsDtype;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

// Reinterprets BF16 (the top 16 bits of a float32) without allocating per element.
const bf16Bits = new Uint32Array(1);
const bf16Value = new Float32Array(bf16Bits.buffer);

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

/**
 * Serialises named float tensors in the safetensors format (Hugging Face): an 8-byte little-endian
 * header length, a JSON header `{ name: { dtype, shape, data_offsets }, __metadata__ }` padded with
 * spaces to a multiple of 8 bytes, then the little-endian data in header order. Float32 is stored as
 * F32 and float64 as F64, so names, dtypes and values round-trip bit-exactly and PyTorch's
 * `safetensors.torch.load_file` reads the result. Metadata values must be strings (format rule).
 */
export function saveSafetensors(tensors: Map<string, TensorLike> | Record<string, TensorLike>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') fail('E_PARAM', `metadata.${key}`, 'a string (safetensors metadata is string → string)', value);
  }
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__' || name.length === 0) fail('E_PARAM', 'tensors', 'names other than "" and "__metadata__"', name);
    if (!isFloatArray(t.data)) fail('E_DTYPE', `${name}.data`, 'a Float32Array or Float64Array', t.data);
    const dims = checkDims(t.dims, `${name}.dims`);
    if (sizeOf(dims) !== t.data.length) fail('E_SHAPE', `${name}.dims`, `a product equal to data.length (${t.data.length})`, `[${dims.join(', ')}]`);
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.data instanceof Float32Array ? 'F32' : 'F64', shape: [...dims], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    writeLittleEndian(t.data, view, at);
    at += t.data.byteLength;
  }
  return out;
}

function writeLittleEndian(data: FloatArray, view: DataView, at: number): void {
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
  else for (let i = 0; i < data.length; i++) view.setFloat64(at + 8 * i, data[i], true);
}

/** IEEE binary16 → number. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Parses a safetensors file's bytes into named tensors (header order), with the metadata. F32 and F64
 * load as Float32Array/Float64Array; F16 and BF16 are widened to Float32Array (exactly). Other dtypes,
 * overlapping or out-of-range offsets and malformed headers throw `E_INPUT` naming the tensor.
 */
export function loadSafetensors(bytes: Uint8Array): { tensors: Map<string, StoredTensor>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) fail('E_INPUT', 'bytes', 'the bytes of a safetensors file (at least 8)', bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail('E_INPUT', 'bytes', `a header length ≤ ${bytes.length - 8}`, headerLength);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch {
    return fail('E_INPUT', 'bytes', 'a JSON safetensors header');
  }
  const base = 8 + headerLength;
  const dataLength = bytes.length - base;
  const tensors = new Map<string, StoredTensor>();
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    const dtype = entry.dtype as SafetensorsDtype;
    if (!(dtype in BYTES)) fail('E_DTYPE', name, 'dtype F32, F64, F16 or BF16', entry.dtype);
    const dims = [...checkDims(entry.shape, `${name}.shape`)];
    const [begin, end] = entry.data_offsets ?? [];
    const count = sizeOf(dims);
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end > dataLength || end - begin !== count * BYTES[dtype]) {
      fail('E_INPUT', `${name}.data_offsets`, `a range of ${count * BYTES[dtype]} bytes inside the ${dataLength}-byte data section`, entry.data_offsets);
    }
    const at = base + begin;
    let data: FloatArray;
    if (dtype === 'F64') {
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(at + 8 * i, true);
    } else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        if (dtype === 'F32') data[i] = view.getFloat32(at + 4 * i, true);
        else if (dtype === 'F16') data[i] = halfToNumber(view.getUint16(at + 2 * i, true));
        else {
          bf16Bits[0] = view.getUint16(at + 2 * i, true) << 16;
          data[i] = bf16Value[0];
        }
      }
    }
    tensors.set(name, { data, dims, dtype });
  }
  return { tensors, metadata };
}
