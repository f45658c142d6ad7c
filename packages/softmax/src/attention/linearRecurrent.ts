/**
 * Shared parsing, result assembly and checkpointed backpropagation through time of the gated recurrent
 * linear-attention ops (gla, gatedDeltaNet):
 * q, k `[batch, heads, length, dk]`, v `[batch, heads, length, dv]`, a state S ∈ R^{dk×dv} per head.
 */
import { oneOf, optionsObject } from '../tensor/options.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import {
  allocOf, booleanOption, checkQkv, checkSeq, checkState, expectDims, positiveInteger, sameDtype, type Seq4,
} from './linearShapes.js';

/** Options shared by `gla` and `gatedDeltaNet`. */
export interface RecurrentOptions {
  /** `'chunkwise'` (default: parallel within chunks, state passed between chunks) or `'recurrent'` (one step at a time). */
  mode?: 'recurrent' | 'chunkwise';
  /** Chunk length of the chunkwise form, and the checkpoint spacing of the vjp; integer ≥ 1. Default 64. */
  chunkSize?: number;
  /** S₀ `[batch, heads, dk, dv]` (same float type as q). Default zeros. */
  initialState?: TensorLike;
  /** Also return the final state S_L as `state` `[batch, heads, dk, dv]`. Default false. */
  returnState?: boolean;
}

/** Extra options of the vjps. */
export interface RecurrentVjpOptions extends RecurrentOptions {
  /** ∂loss/∂S_L `[batch, heads, dk, dv]` when the forward returned its state. Default zeros. */
  dFinalState?: TensorLike;
}

/** The output: `{ data, dims: [batch, heads, length, dv] }`, plus `state` when `returnState`. */
export interface RecurrentResult<T extends FloatArray = FloatArray> {
  data: T;
  dims: number[];
  state?: { data: T; dims: number[] };
}

export interface RecurrentCall {
  q: Seq4;
  k: Seq4;
  v: Seq4;
  dk: number;
  dv: number;
  mode: 'recurrent' | 'chunkwise';
  chunkSize: number;
  initial: FloatArray | null;
  returnState: boolean;
  dFinal: FloatArray | null;
}

export function parseRecurrent(q: unknown, k: unknown, v: unknown, opts: RecurrentVjpOptions | undefined): RecurrentCall {
  const o = optionsObject(opts);
  const { q: qs, k: ks, v: vs } = checkQkv(q, k, v);
  expectDims([ks.batch, ks.heads, ks.length, ks.dim], [qs.batch, qs.heads, qs.length, qs.dim], 'k.dims', 'the dims of q');
  expectDims([vs.batch, vs.heads, vs.length], [qs.batch, qs.heads, qs.length], 'v.dims', 'batch, heads and length of q');
  const stateDims = [qs.batch, qs.heads, qs.dim, vs.dim];
  return {
    q: qs,
    k: ks,
    v: vs,
    dk: qs.dim,
    dv: vs.dim,
    mode: oneOf(o.mode, 'mode', ['chunkwise', 'recurrent'], 'chunkwise'),
    chunkSize: positiveInteger(o.chunkSize, 'chunkSize', 64),
    initial: checkState(o.initialState, 'initialState', qs.data, stateDims),
    returnState: booleanOption(o.returnState, 'returnState', false),
    dFinal: checkState(o.dFinalState, 'dFinalState', qs.data, stateDims),
  };
}

/** Validates `dOut` `[batch, heads, length, dv]` of q's float type. */
export function checkDOut(c: RecurrentCall, dOut: unknown): FloatArray {
  const g = checkSeq(dOut, 'dOut');
  sameDtype(c.q.data, g.data, 'dOut.data', 'q');
  expectDims([g.batch, g.heads, g.length, g.dim], [c.q.batch, c.q.heads, c.q.length, c.dv], 'dOut.dims', 'the output shape [batch, heads, length, dv]');
  return g.data;
}

/** Output buffers in q's float type. */
export function allocResult(c: RecurrentCall): { out: FloatArray; state: FloatArray | null } {
  const bh = c.q.batch * c.q.heads;
  return {
    out: allocOf(c.q.data, bh * c.q.length * c.dv),
    state: c.returnState ? allocOf(c.q.data, bh * c.dk * c.dv) : null,
  };
}

export function wrapResult<T extends FloatArray>(c: RecurrentCall, out: FloatArray, state: FloatArray | null): RecurrentResult<T> {
  const res: RecurrentResult<T> = { data: out as T, dims: [c.q.batch, c.q.heads, c.q.length, c.dv] };
  if (state) res.state = { data: state as T, dims: [c.q.batch, c.q.heads, c.dk, c.dv] };
  return res;
}

/** Scratch of {@link bpttHead}, allocated once per vjp call and reused across heads. */
export interface BpttScratch {
  /** S at the start of every chunk, ⌈L/C⌉ × dk·dv. */
  checkpoints: Float64Array;
  /** S_{t0−1}, S_{t0}, …, S_{t1−1} of the chunk being differentiated, (C + 1) × dk·dv. */
  states: Float64Array;
  /** G = ∂loss/∂S_t, dk × dv; after {@link bpttHead} it holds ∂loss/∂S₀. */
  G: Float64Array;
}

export function bpttScratch(c: RecurrentCall): BpttScratch {
  const L = c.q.length;
  const C = c.chunkSize;
  const sd = c.dk * c.dv;
  return {
    checkpoints: new Float64Array(Math.max(Math.ceil(L / C), 1) * sd),
    states: new Float64Array((Math.min(C, Math.max(L, 1)) + 1) * sd),
    G: new Float64Array(sd),
  };
}

/**
 * Backpropagation through time of one head `bh` of a recurrence S_t = f_t(S_{t−1}), o_t = S_tᵀ q_t, with
 * checkpoints (shared by the vjps of gla and gatedDeltaNet). Runs the recurrence from S₀ (`initialState`
 * or 0) with `advance(s, t0, t1)` (steps t ∈ [t0, t1) in place), keeping S at the start of every chunk of
 * C = `chunkSize` steps; seeds G with `dFinalState` (or 0); then for t = L−1 down to 0, chunk by chunk
 * from the end with the chunk's states recomputed from its checkpoint, adds q_t do_tᵀ to G, writes
 * dq_t = S_t do_t into `hq` (L × dk) and calls `back(t, states, sp)` with S_{t−1} at states[sp..], which
 * must turn G = ∂/∂S_t into ∂/∂S_{t−1} (and write the step's other gradients).
 * `q` and `go` are the head's float64 q (L × dk) and dOut (L × dv). O(L·dk·dv) time beyond `advance`
 * and `back` (the forward runs twice), O((L/C + C)·dk·dv) memory (the scratch).
 */
export function bpttHead(c: RecurrentCall, bh: number, q: Float64Array, go: Float64Array, hq: Float64Array, w: BpttScratch,
  advance: (s: Float64Array, t0: number, t1: number) => void,
  back: (t: number, states: Float64Array, sp: number) => void): void {
  const { dk, dv } = c;
  const L = c.q.length;
  const C = c.chunkSize;
  const nChunks = Math.ceil(L / C);
  const sd = dk * dv;
  const { checkpoints, states, G } = w;
  // Forward: keep S at the start of every chunk (O(L/C·dk·dv) memory).
  const s = states.subarray(0, sd);
  if (c.initial) for (let i = 0; i < sd; i++) s[i] = c.initial[bh * sd + i];
  else s.fill(0);
  for (let ch = 0; ch < nChunks; ch++) {
    checkpoints.set(s, ch * sd);
    advance(s, ch * C, Math.min(L, (ch + 1) * C));
  }
  if (c.dFinal) for (let i = 0; i < sd; i++) G[i] = c.dFinal[bh * sd + i];
  else G.fill(0);
  // Backward through time, chunk by chunk from the end, recomputing the chunk's states from its checkpoint.
  for (let ch = nChunks - 1; ch >= 0; ch--) {
    const t0 = ch * C;
    const t1 = Math.min(L, t0 + C);
    states.set(checkpoints.subarray(ch * sd, (ch + 1) * sd), 0);
    for (let t = t0; t < t1; t++) {
      const j = t - t0;
      states.copyWithin((j + 1) * sd, j * sd, (j + 1) * sd);
      advance(states.subarray((j + 1) * sd, (j + 2) * sd), t, t + 1);
    }
    for (let t = t1 - 1; t >= t0; t--) {
      const j = t - t0;
      const st = (j + 1) * sd; // S_t
      // G = ∂/∂S_t (everything after t) + q_t do_tᵀ; dq_t = S_t do_t.
      for (let i = 0; i < dk; i++) {
        const qi = q[t * dk + i];
        let acc = 0;
        for (let e = 0; e < dv; e++) {
          G[i * dv + e] += qi * go[t * dv + e];
          acc += states[st + i * dv + e] * go[t * dv + e];
        }
        hq[t * dk + i] = acc;
      }
      back(t, states, j * sd);
    }
  }
}
