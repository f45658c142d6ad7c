/** Progress of a benchmark run, for a CLI progress line. `done`/`total` count units of `phase`. */
export interface ProgressEvent {
  /** What is happening: 'suite', 'setup', 'validate', 'warmup', 'measure', 'memory', … */
  phase: string;
  done: number;
  total: number;
  /** Human-readable context, e.g. "softmax · n=4096". */
  label: string;
}

export type ProgressCallback = (event: ProgressEvent) => void;
