import { softmax, SoftmaxError } from 'softmax';
import { readTensorFile } from 'softmax/node';
import { toFloatTensor } from './float-tensor.js';

/** A 2-D float64 matrix read from a file. */
export interface Matrix {
  data: Float64Array;
  dims: [number, number];
}

/**
 * Reads a `[rows, classes]` matrix of probabilities (or, with `logits`, of logits turned into
 * probabilities by softmax over the last axis) from .npy or .csv.
 */
export async function readProbabilities(path: string, argument: string, logits: boolean): Promise<Matrix> {
  const file = await readTensorFile(path);
  const x = toFloatTensor(file, 'float64');
  if (x.dims.length !== 2) {
    throw new SoftmaxError('E_SHAPE', `${argument} (${path}): expected a 2-D [rows, classes] matrix, got dims [${x.dims.join(', ')}]`, argument);
  }
  const dims: [number, number] = [x.dims[0], x.dims[1]];
  const data = logits ? softmax({ data: x.data as Float64Array, dims }).data : (x.data as Float64Array);
  return { data, dims };
}

/** Reads one integer label per row (a 1-D array or a [rows, 1] column) from .npy or .csv. */
export async function readLabels(path: string, argument: string): Promise<Int32Array> {
  const file = await readTensorFile(path);
  const { data, dims } = file;
  if (!(dims.length === 1 || (dims.length === 2 && dims[1] === 1))) {
    throw new SoftmaxError('E_SHAPE', `${argument} (${path}): expected one label per row (1-D, or [rows, 1]), got dims [${dims.join(', ')}]`, argument);
  }
  const labels = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (!Number.isInteger(v)) throw new SoftmaxError('E_PARAM', `${argument} (${path}): label ${i} is ${v}, not an integer`, argument);
    labels[i] = v;
  }
  return labels;
}

/**
 * Re-throws a library error about inputs that are not probabilities with a hint for the CLI user; other
 * errors pass through unchanged.
 */
export function withLogitsHint(error: unknown, logits: boolean): never {
  if (!logits && error instanceof SoftmaxError && /probabilit|sum/i.test(error.message)) {
    throw new SoftmaxError(error.code, `${error.message} (if these are logits, pass --logits)`, error.argument);
  }
  throw error;
}
