import type { AttentionPeer } from './attention-peer.js';
import { causalAdditiveMask } from './attention-peer.js';
import { activate, loadTfjs, wasmThreads } from './tfjs.js';
import type { Tf } from './tfjs.js';

export const TFJS_WASM = 'tfjs-wasm';

/**
 * TensorFlow.js (wasm backend, one thread) composing the same ops as the ONNX graph:
 * matMul(Q, K, transposeB) · scale [+ causal mask] → softmax → matMul(·, V).
 * The timed call creates the input tensors (a copy into the backend), runs the ops, reads the output
 * back and disposes everything — what a caller holding Float32Arrays does.
 */
export function tfjsAttentionPeer(): AttentionPeer {
  let tf: Tf | undefined;
  let mask: Float32Array | undefined;
  return {
    name: TFJS_WASM,
    packageName: '@tensorflow/tfjs-backend-wasm',
    async setup(p) {
      tf = await loadTfjs();
      await activate(tf, 'wasm');
      const threads = wasmThreads(tf);
      if (threads !== undefined && threads !== 1) throw new Error(`tfjs-wasm runs on ${threads} threads; the comparison is single-threaded`);
      mask = p.causal ? causalAdditiveMask(p.lq, p.lk) : undefined;
    },
    async beforeRun() {
      await activate(tf!, 'wasm');
    },
    // dataSync() outside tidy(): tidy walks its callback's return value (see tfjs.ts).
    run(p) {
      const t = tf!;
      const y = t.tidy(() => {
        const q = t.tensor4d(p.q, [p.batch, p.heads, p.lq, p.d]);
        const k = t.tensor4d(p.k, [p.batch, p.heads, p.lk, p.d]);
        const v = t.tensor4d(p.v, [p.batch, p.heads, p.lk, p.d]);
        let s = t.mul(t.matMul(q, k, false, true), t.scalar(p.scale));
        if (mask !== undefined) s = t.add(s, t.tensor2d(mask, [p.lq, p.lk]));
        return t.matMul(t.softmax(s), v);
      });
      const data = y.dataSync() as Float32Array;
      y.dispose();
      return data;
    },
    async dispose() {
      mask = undefined;
    },
    details() {
      if (tf === undefined) return undefined;
      const threads = wasmThreads(tf);
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
      return `${threads ?? 'unknown'} thread${threads === 1 ? '' : 's'}, ${simd}; matMul → mul → [add mask] → softmax → matMul`;
    },
  };
}
