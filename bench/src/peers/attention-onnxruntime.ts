import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { attentionOpModel, multiHeadAttentionModel, sdpaModel } from './attention-onnx.js';
import { causalAdditiveMask, headsToSequence, sequenceToHeads } from './attention-peer.js';
import type { AttentionPeer, AttentionProblem } from './attention-peer.js';
import { loadOrt, ORT_SESSION_OPTIONS } from './onnxruntime.js';
import type { Ort } from './onnxruntime.js';

export const ORT_SDPA = 'onnxruntime-node MatMul–Softmax–MatMul';
export const ORT_MHA = 'onnxruntime-node MultiHeadAttention (contrib)';
export const ORT_ATTENTION = 'onnxruntime-node Attention (opset 23)';

export type OrtAttentionGraph = 'sdpa' | 'mha' | 'attention23';

const NAMES: Record<OrtAttentionGraph, string> = { sdpa: ORT_SDPA, mha: ORT_MHA, attention23: ORT_ATTENTION };

const GRAPH_DETAILS: Record<OrtAttentionGraph, string> = {
  sdpa: 'Transpose → MatMul → Mul(scale) [→ Add(causal mask input)] → Softmax → MatMul, opset 13, built in memory',
  mha: 'com.microsoft MultiHeadAttention, query [B, L, H·d], key/value [B, H, L, d], unidirectional for causal',
  attention23: 'ONNX Attention op (opset 23), [B, H, L, d] inputs, is_causal for causal',
};

function model(graph: OrtAttentionGraph, p: AttentionProblem): Uint8Array {
  if (graph === 'sdpa') return sdpaModel(p.scale, p.causal);
  if (graph === 'mha') return multiHeadAttentionModel(p.heads, p.scale, p.causal);
  return attentionOpModel(p.scale, p.causal);
}

/**
 * onnxruntime-node on one thread running an attention graph built in memory. The timed call wraps the
 * inputs in `ort.Tensor`s (no copy), runs the session and reads the output — what a caller does. A
 * session that does not load (an op the installed build lacks) makes `setup` throw with the reason.
 */
export function onnxRuntimeAttentionPeer(graph: OrtAttentionGraph): AttentionPeer {
  let ort: Ort | undefined;
  let session: InferenceSession | undefined;
  let query: Float32Array | undefined;
  let mask: Float32Array | undefined;
  return {
    name: NAMES[graph],
    packageName: 'onnxruntime-node',
    async setup(p) {
      ort = await loadOrt();
      session = await ort.InferenceSession.create(model(graph, p), ORT_SESSION_OPTIONS);
      // MultiHeadAttention takes the query as [B, L, H·d]; one query row per head is already that layout.
      query = graph === 'mha' && p.lq > 1 ? headsToSequence(p.q, p.batch, p.heads, p.lq, p.d) : p.q;
      mask = graph === 'sdpa' && p.causal ? causalAdditiveMask(p.lq, p.lk) : undefined;
    },
    async run(p) {
      const o = ort!;
      const feeds: Record<string, Tensor> = {
        q: graph === 'mha' ? new o.Tensor('float32', query!, [p.batch, p.lq, p.heads * p.d]) : new o.Tensor('float32', p.q, [p.batch, p.heads, p.lq, p.d]),
        k: new o.Tensor('float32', p.k, [p.batch, p.heads, p.lk, p.d]),
        v: new o.Tensor('float32', p.v, [p.batch, p.heads, p.lk, p.d]),
      };
      if (mask !== undefined) feeds.mask = new o.Tensor('float32', mask, [p.lq, p.lk]);
      const result = await session!.run(feeds);
      return result.o.data as Float32Array;
    },
    toStandard(output, p) {
      return graph === 'mha' && p.lq > 1 ? sequenceToHeads(output, p.batch, p.heads, p.lq, p.d) : output;
    },
    async dispose() {
      await session?.release();
      session = undefined;
      query = mask = undefined;
    },
    details() {
      return `intraOpNumThreads ${ORT_SESSION_OPTIONS.intraOpNumThreads}, ${ORT_SESSION_OPTIONS.executionMode}; ${GRAPH_DETAILS[graph]}`;
    },
  };
}
