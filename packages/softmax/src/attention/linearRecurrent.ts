/**
 * Shared parsing and result assembly of the gated recurrent linear-attention ops (gla, gatedDeltaNet):
 * q, k `[batch, heads, length, dk]`, v `[batch, heads, length, dv]`, a state S ∈ R^{dk×dv} per head.
 */
import { oneOf, optionsObject } from '../tensor/options.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import {
  allocOf, booleanOption, checkSeq, checkState, expectDims, positiveInteger, sameDtype, type Seq4,
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
  const qs = checkSeq(q, 'q');
  const ks = checkSeq(k, 'k');
  const vs = checkSeq(v, 'v');
  sameDtype(qs.data, ks.data, 'k.data', 'q');
  sameDtype(qs.data, vs.data, 'v.data', 'q');
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
