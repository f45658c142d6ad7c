/**
 * A softmax implementation the suite compares: ours or one a user would otherwise pick.
 * Lifecycle per case: `setup` (untimed: load modules, create sessions, copy the input where the
 * implementation needs it), then many timed `run` calls, then `dispose`.
 */
export interface SoftmaxPeer {
  readonly name: string;
  /** 'softmax' peers must agree with ours; a 'floor' peer (the copy) only bounds the achievable time. */
  readonly kind: 'softmax' | 'floor';
  setup(input: Float32Array, rows: number, n: number): Promise<void>;
  /** The timed call: softmax over the last axis of `input` viewed as [rows, n]. */
  run(input: Float32Array, rows: number, n: number): PeerOutput | Promise<PeerOutput>;
  /** Untimed hook before each timed call (e.g. making its tfjs backend the active one). */
  beforeRun?(): Promise<void>;
  dispose(): Promise<void>;
  /** What the report should say about how it ran (threads, kernels), once set up. */
  details?(): string | undefined;
}

/** Row-major output: one array for the batch, or one array per row (transformers.js works row by row). */
export type PeerOutput = Float32Array | Float64Array | readonly (Float32Array | Float64Array)[];

/** The output as one flat array (copying only for per-row outputs), for validation outside timing. */
export function flattenOutput(output: PeerOutput): Float32Array | Float64Array {
  if (!Array.isArray(output)) return output as Float32Array | Float64Array;
  const rows = output as readonly (Float32Array | Float64Array)[];
  const total = rows.reduce((sum, row) => sum + row.length, 0);
  const flat = new Float64Array(total);
  let offset = 0;
  for (const row of rows) {
    flat.set(row, offset);
    offset += row.length;
  }
  return flat;
}
