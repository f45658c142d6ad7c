import type { BenchMode } from '../../harness/budget.js';
import { fillUniform } from '../../harness/random.js';
import type { AttentionProblem } from '../../peers/attention-peer.js';

/** The shape: float32, batch 1, 8 heads, head dimension 64. */
export const BATCH = 1;
export const HEADS = 8;
export const HEAD_DIM = 64;
const SEED = 0xa77e;

export interface AttentionSizes {
  /** Sequence lengths of the forward cases (lq = lk = L), each run causal and not. */
  forward: number[];
  /** Cache lengths of the decode cases (one query per head). */
  decode: number[];
  /**
   * A peer is not run at a size where one call is predicted (from its time at the previous size,
   * scaled by the flops) or measured to take longer than this; the result says so.
   */
  maxCallMs: number;
  /** The same limit for our own implementation, the subject of the suite. */
  baselineMaxCallMs: number;
  /** Our memory probe (one extra call per length in a worker) runs while our predicted call takes at most this. */
  maxProbeMs: number;
  /** The zero-copy variant of ours runs up to this length (beyond it the copies are a vanishing share of the work). */
  zeroCopyMaxL: number;
  /** Scale of the mode's per-case budget (the suite has 11 cases; the report's share is about two minutes). */
  budgetScale: number;
}

const SIZES: Record<BenchMode, AttentionSizes> = {
  quick: { forward: [64, 128], decode: [512, 1024], maxCallMs: 5_000, baselineMaxCallMs: 5_000, maxProbeMs: 5_000, budgetScale: 1, zeroCopyMaxL: 128 },
  report: { forward: [128, 512, 2048, 8192], decode: [4096, 16384, 32768], maxCallMs: 2_000, baselineMaxCallMs: 4_000, maxProbeMs: 20_000, budgetScale: 0.3, zeroCopyMaxL: 2048 },
  full: { forward: [128, 512, 2048, 8192], decode: [4096, 16384, 32768], maxCallMs: 10_000, baselineMaxCallMs: 30_000, maxProbeMs: 30_000, budgetScale: 0.5, zeroCopyMaxL: 2048 },
};

export function attentionSizes(mode: BenchMode): AttentionSizes {
  return SIZES[mode];
}

/**
 * Floating-point operations of one attention call: 2·d per score (Q Kᵀ) and 2·d per weighted value
 * (P V), i.e. 4·B·H·Lq·Lk·d; causal keeps half the pairs (the diagonal counted once: Lq(Lq+1)/2 for
 * Lq = Lk), the usual convention for quoting attention throughput.
 */
export function attentionFlops(p: Pick<AttentionProblem, 'batch' | 'heads' | 'lq' | 'lk' | 'd' | 'causal'>): number {
  const pairs = p.causal ? (p.lq * (p.lq + 1)) / 2 + p.lq * (p.lk - p.lq) : p.lq * p.lk;
  return 4 * p.batch * p.heads * pairs * p.d;
}

/** Deterministic inputs U(−1, 1) (seeded by the sizes, so reruns use the same data) of one problem. */
export function makeProblem(lq: number, lk: number, causal: boolean): AttentionProblem {
  const per = (length: number) => BATCH * HEADS * length * HEAD_DIM;
  return {
    batch: BATCH,
    heads: HEADS,
    lq,
    lk,
    d: HEAD_DIM,
    causal,
    scale: 1 / Math.sqrt(HEAD_DIM),
    q: fillUniform(new Float32Array(per(lq)), SEED + lq * 3 + lk, 1),
    k: fillUniform(new Float32Array(per(lk)), SEED + lk * 5 + 1, 1),
    v: fillUniform(new Float32Array(per(lk)), SEED + lk * 7 + 2, 1),
  };
}
