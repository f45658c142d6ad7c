import { allocate, attendDecode, attention } from 'softmax';
import type { AttentionPeer, AttentionProblem } from './attention-peer.js';
import { ourBackendDetails } from './library-info.js';

export const OURS_ATTENTION = 'attention (ours)';
export const OURS_ATTENTION_ZERO_COPY = 'attention zero-copy (ours)';
export const OURS_DECODE = 'attendDecode (ours)';

const dimsOf = (p: AttentionProblem, length: number) => [p.batch, p.heads, length, p.d];

/** Our `attention` on `{ data, dims }` tensors of ordinary Float32Arrays, output allocated by the call (softmax, flash path). */
export function oursAttentionPeer(): AttentionPeer {
  return {
    name: OURS_ATTENTION,
    packageName: 'softmax',
    async setup() {},
    run(p) {
      return attention(
        { data: p.q, dims: dimsOf(p, p.lq) },
        { data: p.k, dims: dimsOf(p, p.lk) },
        { data: p.v, dims: dimsOf(p, p.lk) },
        { scale: p.scale, causal: p.causal },
      ).data as Float32Array;
    },
    async dispose() {},
    details: () => `${ourBackendDetails()}; attention(q, k, v, { scale, causal }), flash path (never an lq×lk buffer)`,
  };
}

/**
 * Our `attention` with q, k, v and the output in the WebAssembly memory (`allocate`, filled in setup),
 * the output written in place with `out`: no copy in or out in the timed call.
 */
export function oursAttentionZeroCopyPeer(): AttentionPeer {
  let buffers: ReturnType<typeof allocate>[] = [];
  return {
    name: OURS_ATTENTION_ZERO_COPY,
    packageName: 'softmax',
    async setup(p) {
      buffers = [allocate(p.q.length), allocate(p.k.length), allocate(p.v.length), allocate(p.batch * p.heads * p.lq * p.d)];
      // `.data` is re-created after memory growth, so it is read after every allocation.
      buffers[0].data.set(p.q);
      buffers[1].data.set(p.k);
      buffers[2].data.set(p.v);
    },
    run(p) {
      const [q, k, v, o] = buffers;
      const out = o.data;
      attention({ data: q.data, dims: dimsOf(p, p.lq) }, { data: k.data, dims: dimsOf(p, p.lk) }, { data: v.data, dims: dimsOf(p, p.lk) }, { scale: p.scale, causal: p.causal, out });
      return out;
    },
    async dispose() {
      for (const b of buffers) b.free();
      buffers = [];
    },
    details: () => `${ourBackendDetails()}; q, k, v and output allocated in WebAssembly memory, output written with { out }`,
  };
}

/** Our `attendDecode` (split-KV / FlashDecoding) of one query per head against the whole cache. */
export function oursDecodePeer(chunkSize?: number): AttentionPeer {
  return {
    name: OURS_DECODE,
    packageName: 'softmax',
    async setup(p) {
      if (p.lq !== 1 || p.causal) throw new Error('attendDecode peer: one unmasked query per head');
    },
    run(p) {
      return attendDecode(
        { data: p.q, dims: dimsOf(p, 1) },
        { data: p.k, dims: dimsOf(p, p.lk) },
        { data: p.v, dims: dimsOf(p, p.lk) },
        { length: p.lk, scale: p.scale, ...(chunkSize === undefined ? {} : { chunkSize }) },
      ).data as Float32Array;
    },
    async dispose() {},
    details: () => `${ourBackendDetails()}; attendDecode(q, kCache, vCache, { length${chunkSize === undefined ? '' : `, chunkSize: ${chunkSize}`} })`,
  };
}
