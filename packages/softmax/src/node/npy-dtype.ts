/**
 * The NPY element types this package reads and writes, and their JavaScript arrays.
 *
 * | NumPy descr     | dtype    | JavaScript array                                   |
 * |-----------------|----------|----------------------------------------------------|
 * | `<f4`           | float32  | Float32Array                                       |
 * | `<f8`           | float64  | Float64Array                                       |
 * | `<i4`           | int32    | Int32Array                                         |
 * | `<i8`           | int64    | Int32Array (every value must fit in int32, else E_DTYPE) |
 * | `<i2`           | int16    | Int16Array                                         |
 * | `|i1`           | int8     | Int8Array                                          |
 * | `|u1`           | uint8    | Uint8Array                                         |
 * | `<u2`           | uint16   | Uint16Array                                        |
 * | `<u4`           | uint32   | Uint32Array                                        |
 * | `|b1`           | bool     | Uint8Array (0/1)                                   |
 *
 * Big-endian files (`>f4`, `>i8`, …) are read too: values are byte-swapped while copying. Writing is
 * always little-endian, as NumPy itself does on every common machine.
 */
export type NpyData = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array;

export type NpyDtype = 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint32' | 'uint16' | 'uint8' | 'bool';

export interface DtypeInfo {
  dtype: NpyDtype;
  /** Bytes per element in the file. */
  itemSize: number;
  /** Kind and size without byte order, e.g. `f4`. */
  code: string;
}

const BY_CODE: Record<string, NpyDtype> = {
  f4: 'float32',
  f8: 'float64',
  i8: 'int64',
  i4: 'int32',
  i2: 'int16',
  i1: 'int8',
  u4: 'uint32',
  u2: 'uint16',
  u1: 'uint8',
  b1: 'bool',
};

/** A parsed `descr`: the dtype, and whether the file stores it big-endian. */
export interface ParsedDescr extends DtypeInfo {
  bigEndian: boolean;
}

/**
 * Parses a simple NPY `descr` string. Returns `undefined` for anything else (structured dtypes,
 * float16, complex, strings, objects, …) so the caller can say what it supports.
 */
export function parseDescr(descr: string): ParsedDescr | undefined {
  const m = /^([<>|=]?)([fiub]\d+)$/.exec(descr);
  if (!m) return undefined;
  const [, order, code] = m;
  const dtype = BY_CODE[code];
  if (dtype === undefined) return undefined;
  const itemSize = Number(code.slice(1));
  // '|' (not applicable) is only meaningful for one-byte types; '=' (native) never appears in files
  // NumPy writes, and is taken as little-endian like every machine NumPy runs on in practice.
  if (order === '|' && itemSize !== 1) return undefined;
  return { dtype, itemSize, code, bigEndian: order === '>' && itemSize > 1 };
}

/** The descr `encodeNpy` writes for an array, or `undefined` if the array type has no NPY form here. */
export function descrOf(data: NpyData): string | undefined {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Uint32Array) return '<u4';
  return undefined;
}

/**
 * Views little- or host-endian element bytes as the JavaScript array of a dtype (bool as 0/1 bytes).
 * int64 has no view here; the reader narrows it to int32 separately.
 */
export function viewAs(dtype: Exclude<NpyDtype, 'int64'>, buffer: ArrayBuffer): NpyData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    case 'uint32':
      return new Uint32Array(buffer);
    case 'uint16':
      return new Uint16Array(buffer);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer);
  }
}

export const SUPPORTED_DESCRS = "'<f4', '<f8', '<i8', '<i4', '<i2', '|i1', '|u1', '<u2', '<u4', '|b1' (or their big-endian '>' forms)";
