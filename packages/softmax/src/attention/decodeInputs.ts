import { backendFor } from '../kernels/dispatch.js';
import { fail } from '../tensor/errors.js';
import { finiteInRange, integerInRange, optionsObject } from '../tensor/options.js';
import type { FloatArray, TensorLike } from '../tensor/types.js';
import { checkDims, isFloatArray, sizeOf } from '../tensor/view.js';
import type { DecodeProblem } from './decodeExact.js';
import { resolveDecodeMask, type DecodeMask } from './decodeMask.js';

/** Options of `attendDecode`. */
export interface AttendDecodeOptions {
  /** Valid cache positions: keys/values [0, length) are used. Integer in [0, capacity]; default capacity. */
  length?: number;
  /**
   * Causal alignment: the queries are the last Lq positions of the sequence, so query i sees cache
   * positions j ≤ i + length − Lq. Default true when Lq > 1, false when Lq = 1 (where it changes nothing).
   */
  causal?: boolean;
  /** Multiplies q·k. Any finite number; default 1/√d (1 when d = 0). */
  scale?: number;
  /**
   * Keep-mask (1/true = keep) or additive mask (queries' float type, −∞ = masked), broadcastable to
   * [batch, qHeads, Lq, length]; the key axis may also be the cache capacity (only [0, length) is read).
   */
  mask?: DecodeMask;
  /**
   * Cache positions per split-KV chunk (integer ≥ 1; a chunk larger than the cache is one chunk).
   * Default: ⌈length / ⌈length / 1024⌉⌉, i.e. equal chunks of at most 1024.
   */
  chunkSize?: number;
  /**
   * `false` (default): exact FlashDecoding (per-chunk flash attention, lse merge). A finite number φ:
   * FlashDecoding++ asynchronised softmax with that unified max value for every row. `'auto'`: the
   * same with φ per query row from a cheap sample of its scores (see `attendDecode`).
   */
  unifiedMax?: false | number | 'auto';
  /** Also return the per-row log-sum-exp (to merge with other key sets by `decodeMerge`). */
  returnLse?: boolean;
}

/** A validated call: the problem, the unified-max choice and whether to return the lse. */
export interface DecodeCall {
  problem: DecodeProblem;
  unifiedMax: false | number | 'auto';
  returnLse: boolean;
}

/** Default chunk: equal chunks of at most 1024 positions. */
export function defaultChunkSize(length: number): number {
  if (length <= 0) return 1;
  return Math.ceil(length / Math.ceil(length / 1024));
}

function rank4(x: unknown, name: string): { data: FloatArray; dims: readonly number[] } {
  if (typeof x !== 'object' || x === null || ArrayBuffer.isView(x) || Array.isArray(x) || !('data' in x) || !('dims' in x)) {
    fail('E_INPUT', name, 'a tensor { data, dims } of rank 4', x);
  }
  const t = x as TensorLike;
  if (!isFloatArray(t.data)) fail('E_DTYPE', `${name}.data`, 'a Float32Array or Float64Array', t.data);
  const dims = checkDims(t.dims, `${name}.dims`);
  if (dims.length !== 4) fail('E_SHAPE', `${name}.dims`, 'rank 4', `[${dims.join(', ')}]`);
  if (sizeOf(dims) !== t.data.length) {
    fail('E_SHAPE', `${name}.dims`, `dims whose product equals ${name}.data.length (${t.data.length})`, `[${dims.join(', ')}]`);
  }
  return { data: t.data, dims };
}

/** Validates the arguments of `attendDecode` (see there for the rules) and builds the problem. */
export function parseDecode(q: unknown, kCache: unknown, vCache: unknown, opts: AttendDecodeOptions | undefined): DecodeCall {
  const qt = rank4(q, 'q');
  const kt = rank4(kCache, 'kCache');
  const vt = rank4(vCache, 'vCache');
  const type = qt.data.constructor;
  if (kt.data.constructor !== type) fail('E_DTYPE', 'kCache.data', `a ${type.name} (q's float type)`, kt.data);
  if (vt.data.constructor !== type) fail('E_DTYPE', 'vCache.data', `a ${type.name} (q's float type)`, vt.data);
  const [batch, qHeads, lq, d] = qt.dims;
  const [kb, kvHeads, capacity, kd] = kt.dims;
  const [vb, vh, vc, dv] = vt.dims;
  const kText = `[${kt.dims.join(', ')}]`;
  if (kb !== batch) fail('E_SHAPE', 'kCache.dims', `batch ${batch} (q.dims[0])`, kText);
  if (kd !== d) fail('E_SHAPE', 'kCache.dims', `head size ${d} (q.dims[3]) in the last axis`, kText);
  if (kvHeads < 1 || qHeads % kvHeads !== 0) {
    fail('E_SHAPE', 'kCache.dims', `a kv head count ≥ 1 dividing the ${qHeads} query heads (q.dims[1])`, kText);
  }
  const vText = `[${vt.dims.join(', ')}]`;
  if (vb !== batch || vh !== kvHeads || vc !== capacity) {
    fail('E_SHAPE', 'vCache.dims', `[${batch}, ${kvHeads}, ${capacity}, dv] (batch, kv heads and capacity of kCache)`, vText);
  }

  const o = optionsObject(opts);
  const length = o.length === undefined ? capacity : integerInRange(o.length, 'length', 0, capacity);
  if (o.causal !== undefined && typeof o.causal !== 'boolean') fail('E_PARAM', 'causal', 'true or false', o.causal);
  const causal = o.causal ?? lq > 1;
  if (causal && lq > length) {
    fail('E_SHAPE', 'length', `at least Lq = ${lq} valid cache positions when causal (the queries are the last Lq positions)`, length);
  }
  const scale = finiteInRange(o.scale, 'scale', -Number.MAX_VALUE, Number.MAX_VALUE, d > 0 ? 1 / Math.sqrt(d) : 1);
  const chunkSize = o.chunkSize === undefined ? defaultChunkSize(length) : integerInRange(o.chunkSize, 'chunkSize', 1, Number.MAX_SAFE_INTEGER);
  const u = o.unifiedMax;
  let unifiedMax: false | number | 'auto' = false;
  if (u === 'auto') unifiedMax = 'auto';
  else if (typeof u === 'number') unifiedMax = finiteInRange(u, 'unifiedMax', -Number.MAX_VALUE, Number.MAX_VALUE, 0);
  else if (u !== undefined && u !== false) fail('E_PARAM', 'unifiedMax', "false, a finite number φ, or 'auto'", u);
  if (o.returnLse !== undefined && typeof o.returnLse !== 'boolean') fail('E_PARAM', 'returnLse', 'true or false', o.returnLse);
  const mask = o.mask === undefined ? null : resolveDecodeMask(o.mask, qt.data, batch, qHeads, lq, length, capacity);

  return {
    problem: {
      q: qt.data, k: kt.data, v: vt.data,
      batch, qHeads, kvHeads, group: qHeads / kvHeads, lq, capacity, length, d, dv,
      scale, causal, mask, chunkSize, backend: backendFor(qt.data),
    },
    unifiedMax,
    returnLse: o.returnLse === true,
  };
}
