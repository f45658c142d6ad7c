/** Integer token tensor, C order. */
export interface TokenTensor {
  data: Int32Array;
  dims: [number, number];
}

/**
 * One training batch of a sequence task: input tokens [batch, length] and target tokens [batch, length],
 * where positions that are not scored hold `IGNORE` (crossEntropy's default ignoreIndex, −100).
 */
export interface TokenBatch {
  inputs: TokenTensor;
  targets: TokenTensor;
}

/** The target value of positions that are not scored (PyTorch's and crossEntropy's default ignoreIndex). */
export const IGNORE = -100;

/** A source of batches: `next()` draws the next batch (deterministic under the task's seed). */
export interface BatchSource {
  /** Token vocabulary size the model needs (inputs and targets are in [0, vocab)). */
  readonly vocab: number;
  /** Sequence length of every batch. */
  readonly length: number;
  next(batchSize: number): TokenBatch;
}

/** Allocates a batch with every target ignored. */
export function emptyBatch(batchSize: number, length: number): TokenBatch {
  return {
    inputs: { data: new Int32Array(batchSize * length), dims: [batchSize, length] },
    targets: { data: new Int32Array(batchSize * length).fill(IGNORE), dims: [batchSize, length] },
  };
}
