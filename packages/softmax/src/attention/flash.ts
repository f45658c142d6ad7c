/**
 * The softmax path: one `Backend.attentionHead` call per (batch, q head) — flash attention with the
 * online normaliser over key tiles, O(L·d) memory, never an Lq×Lk buffer. The mask is passed as a
 * slice of the caller's (or the boolean mask's additive) data; a mask that broadcasts along the key
 * axis is expanded per block of query rows into a `rows × Lk` scratch.
 */
import type { AttentionHeadArgs, Backend } from '../kernels/backend.js';
import { backendFor } from '../kernels/dispatch.js';
import type { FloatArray } from '../tensor/types.js';
import { allocLike } from '../tensor/view.js';
import { maskRow } from './attentionMask.js';
import type { AttentionCall } from './call.js';
import { headOffsets } from './layout.js';
import { KvScratch, blockRows, scaledQueries, scoreTile } from './scores.js';

/** Where one head's queries, outputs and lse live (any float arrays the backend accepts). */
export interface HeadIO {
  q: FloatArray;
  qo: number;
  /** Scale applied by the kernel (1 when q is already scaled). */
  scale: number;
  o: FloatArray;
  oo: number;
  lse: FloatArray | null;
  lo: number;
}

/**
 * Runs the flash kernel on head (b, h) of the call with the given queries/outputs, handling the
 * mask slice (direct, or expanded per query block when it broadcasts along Lk).
 */
export function runHead(backend: Backend, call: AttentionCall, b: number, h: number, io: HeadIO): void {
  const { shape: s, mask } = call;
  const { ko, vo } = headOffsets(s, b, h);
  const args: AttentionHeadArgs = {
    q: io.q, qo: io.qo, k: call.k.data, ko, v: call.v.data, vo, o: io.o, oo: io.oo, lse: io.lse, lo: io.lo,
    lq: s.lq, lk: s.lk, d: s.d, dv: s.dv, scale: io.scale, causalOffset: s.causalOffset,
    mask: null, mo: 0, maskRowStride: 0,
  };
  if (!mask) {
    backend.attentionHead(args);
    return;
  }
  if (mask.sk !== 0 || s.lk <= 1) {
    backend.attentionHead({ ...args, mask: mask.data, mo: maskRow(mask, b, h, 0), maskRowStride: mask.sq });
    return;
  }
  // One mask value per query row (broadcast along the keys): expand a block of rows at a time.
  const rows = blockRows(s.lq, s.lk);
  const scratch = allocLike(mask.data, rows * s.lk);
  for (let i0 = 0; i0 < s.lq; i0 += rows) {
    const n = Math.min(rows, s.lq - i0);
    for (let r = 0; r < n; r++) scratch.fill(mask.data[maskRow(mask, b, h, i0 + r)], r * s.lk, (r + 1) * s.lk);
    backend.attentionHead({
      ...args, qo: io.qo + i0 * s.d, oo: io.oo + i0 * s.dv, lo: io.lo + i0, lq: n,
      causalOffset: s.causalOffset + i0, mask: scratch, mo: 0, maskRowStride: s.lk,
    });
  }
}

/**
 * Softmax attention of every head into `out` (ungated, `[B, Hq, Lq, dv]`); with `weights`, also
 * P = exp(S − lse) per row (0 for rows with no kept key), which materialises `[B, Hq, Lq, Lk]`.
 */
export function flashForward(call: AttentionCall, out: FloatArray, weights: FloatArray | null): void {
  const { shape: s, q, temperature } = call;
  const backend = backendFor(q.data);
  const scaledQ = temperature ? allocLike(q.data, s.lq * s.d) : null;
  const lse = weights ? allocLike(q.data, s.lq) : null;
  const kvs = new KvScratch();
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.qHeads; h++) {
      const { qo, oo } = headOffsets(s, b, h);
      let io: HeadIO = { q: q.data, qo, scale: s.scale, o: out, oo, lse, lo: 0 };
      if (scaledQ && temperature) {
        // Selective attention: q_i/τ_i, so the kernel's scale·q·k is the tempered score.
        const t0 = (b * s.qHeads + h) * s.lq;
        for (let i = 0; i < s.lq; i++) {
          const inv = 1 / temperature.values[t0 + i];
          for (let c = 0; c < s.d; c++) scaledQ[i * s.d + c] = q.data[qo + i * s.d + c] * inv;
        }
        io = { ...io, q: scaledQ, qo: 0 };
      }
      runHead(backend, call, b, h, io);
      if (weights && lse) writeWeights(call, b, h, lse, weights, kvs);
    }
  }
}

/** weights[b, h, i, j] = exp(s_ij − lse_i) from the materialised scores, a block of rows at a time. */
function writeWeights(call: AttentionCall, b: number, h: number, lse: FloatArray, weights: FloatArray, kvs: KvScratch): void {
  const s = call.shape;
  const qs = new Float64Array(s.lq * s.d);
  scaledQueries(call, b, h, qs);
  const rows = blockRows(s.lq, s.lk);
  const tile = new Float64Array(rows * s.lk);
  const kv = kvs.head(call, b, h);
  const base = (b * s.qHeads + h) * s.lq * s.lk;
  for (let i0 = 0; i0 < s.lq; i0 += rows) {
    const n = Math.min(rows, s.lq - i0);
    scoreTile(call, b, h, qs, kv, i0, n, 0, s.lk, tile);
    for (let r = 0; r < n; r++) {
      const m = lse[i0 + r];
      const wo = base + (i0 + r) * s.lk;
      for (let j = 0; j < s.lk; j++) {
        const x = tile[r * s.lk + j];
        weights[wo + j] = m === -Infinity || x === -Infinity ? 0 : Math.exp(x - m);
      }
    }
  }
}
