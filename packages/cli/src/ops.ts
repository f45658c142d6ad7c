import { logSoftmax, logSumExp, softmax } from 'softmax';
import type { FloatArray, RowwiseOptions } from 'softmax';

/** A float tensor as the library takes and returns it. */
export interface FloatTensor {
  data: FloatArray;
  dims: readonly number[];
}

export type TensorOp = (x: FloatTensor, options: RowwiseOptions) => { data: FloatArray; dims: number[] };

/** The ops `softmax apply` runs, by their command-line names. `logsumexp` removes the axis. */
export const OPS = {
  softmax: (x, options) => softmax(x, options),
  'log-softmax': (x, options) => logSoftmax(x, options),
  logsumexp: (x, options) => logSumExp(x, options),
} satisfies Record<string, TensorOp>;

export type OpName = keyof typeof OPS;

export const OP_NAMES = Object.keys(OPS) as OpName[];
