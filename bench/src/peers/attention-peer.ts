/**
 * An attention implementation the attention suite compares: ours or one a user would otherwise pick.
 * Every problem is multi-head scaled dot-product attention on float32 tensors laid out
 * [batch, heads, length, headDim] (row-major): O = softmax(Q Kᵀ · scale [+ causal mask]) V per head.
 */
export interface AttentionProblem {
  batch: number;
  heads: number;
  /** Query rows per head (1 for decode). */
  lq: number;
  /** Key/value rows per head (the cache length for decode). */
  lk: number;
  d: number;
  /** Query i keeps keys j ≤ i (lq = lk in every causal case here). */
  causal: boolean;
  scale: number;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
}

/**
 * Lifecycle per case: `setup` (untimed: load modules, create sessions, re-lay the inputs out the way
 * the implementation's API takes them), many timed `run` calls, then `dispose`. `run` returns the
 * output in the implementation's own layout; `toStandard` (untimed, for validation) turns it into
 * [batch, heads, lq, d].
 */
export interface AttentionPeer {
  readonly name: string;
  /** npm package behind it, for the version in the report. */
  readonly packageName: string;
  setup(problem: AttentionProblem): Promise<void>;
  run(problem: AttentionProblem): Float32Array | Promise<Float32Array>;
  toStandard?(output: Float32Array, problem: AttentionProblem): Float32Array;
  /** Untimed hook before each timed call (e.g. making its tfjs backend the active one). */
  beforeRun?(): Promise<void>;
  dispose(): Promise<void>;
  /** What the report should say about how it ran (threads, graph), once set up. */
  details?(): string | undefined;
}

/**
 * Moves every d-long row between the [batch, heads, length, d] and [batch, length, heads·d] layouts
 * (from the first to the second when `toSequence`, else back).
 */
function moveHeadRows(x: Float32Array, batch: number, heads: number, length: number, d: number, toSequence: boolean): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < length; i++) {
        const head = ((b * heads + h) * length + i) * d;
        const sequence = ((b * length + i) * heads + h) * d;
        const from = toSequence ? head : sequence;
        out.set(x.subarray(from, from + d), toSequence ? sequence : head);
      }
    }
  }
  return out;
}

/** [batch, heads, length, d] → [batch, length, heads·d] (the "BSH" layout of onnxruntime's MultiHeadAttention). */
export function headsToSequence(x: Float32Array, batch: number, heads: number, length: number, d: number): Float32Array {
  return moveHeadRows(x, batch, heads, length, d, true);
}

/** [batch, length, heads·d] → [batch, heads, length, d], the inverse of `headsToSequence`. */
export function sequenceToHeads(x: Float32Array, batch: number, heads: number, length: number, d: number): Float32Array {
  return moveHeadRows(x, batch, heads, length, d, false);
}

/** The additive causal mask [lq, lk]: 0 where key j ≤ query i + (lk − lq), −∞ elsewhere. */
export function causalAdditiveMask(lq: number, lk: number): Float32Array {
  const mask = new Float32Array(lq * lk);
  const offset = lk - lq;
  for (let i = 0; i < lq; i++) for (let j = i + offset + 1; j < lk; j++) mask[i * lk + j] = -Infinity;
  return mask;
}
