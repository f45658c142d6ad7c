import { extname } from 'node:path';
import { SoftmaxError } from '../tensor/errors.js';
import { formatCsv, parseCsv } from './csv.js';
import type { NpyData, NpyDtype } from './npy-dtype.js';
import { encodeNpy, parseNpy } from './npy.js';

/** The file formats chosen by extension (case-insensitive): `.npy` and `.csv`. */
export type TensorFileFormat = 'npy' | 'csv';

/** A tensor read from a file. CSV gives float64 and, when the file had one, its header row. */
export interface TensorFile {
  data: NpyData;
  dims: number[];
  dtype: NpyDtype;
  header?: string[];
}

/** The format of a path by its extension; `E_INPUT` for anything but `.npy` / `.csv`. */
export function formatOfPath(path: string): TensorFileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.csv') return 'csv';
  throw new SoftmaxError('E_INPUT', `${path}: unsupported file type '${ext || '(no extension)'}' (expected .npy or .csv)`, path);
}

/** Decodes file contents by the path's extension. Errors name the path. */
export function decodeTensorFile(path: string, bytes: Uint8Array): TensorFile {
  if (formatOfPath(path) === 'npy') return parseNpy(bytes, path);
  const { data, dims, header } = parseCsv(new TextDecoder('utf-8').decode(bytes), path);
  return header === undefined ? { data, dims, dtype: 'float64' } : { data, dims, dtype: 'float64', header };
}

/** Encodes a tensor for the path's extension (`.csv` takes rank 0–2 only). */
export function encodeTensorFile(path: string, tensor: { data: NpyData; dims: readonly number[] }): Uint8Array {
  if (formatOfPath(path) === 'npy') return encodeNpy(tensor);
  return new TextEncoder().encode(formatCsv(tensor));
}
