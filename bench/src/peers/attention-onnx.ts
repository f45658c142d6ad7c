import { encodeModel, floatAttribute, intAttribute, OnnxDataType } from './onnx-model.js';
import type { OnnxNode, OnnxValueInfo } from './onnx-model.js';

/**
 * ONNX attention graphs for the onnxruntime-node peers, built in memory. Dims are symbolic so one
 * session serves every length. Layouts: [batch, heads, length, d] ("BNSH") unless stated.
 */

const FLOAT = OnnxDataType.FLOAT;
const bnsh = (name: string, length: string): OnnxValueInfo => ({ name, elemType: FLOAT, shape: ['batch', 'heads', length, 'd'] });

/**
 * Scaled dot-product attention composed of standard ops, the graph an exporter writes for
 * `softmax(Q Kᵀ · scale + mask) V`: Transpose(K) → MatMul(Q, Kᵀ) → Mul(scale) [→ Add(mask)] →
 * Softmax(axis −1) → MatMul(·, V). With `causal`, an additive mask input `mask` [lq, lk] (0 / −∞)
 * broadcasts over batch and heads. It materialises the [batch, heads, lq, lk] scores. Opset 13.
 */
export function sdpaModel(scale: number, causal: boolean): Uint8Array {
  const nodes: OnnxNode[] = [
    { opType: 'Transpose', inputs: ['k'], outputs: ['kt'], attributes: [{ name: 'perm', kind: 'ints', value: [0, 1, 3, 2] }] },
    { opType: 'MatMul', inputs: ['q', 'kt'], outputs: ['s'] },
    { opType: 'Mul', inputs: ['s', 'scale'], outputs: ['scaled'] },
  ];
  if (causal) nodes.push({ opType: 'Add', inputs: ['scaled', 'mask'], outputs: ['masked'] });
  nodes.push(
    { opType: 'Softmax', inputs: [causal ? 'masked' : 'scaled'], outputs: ['p'], attributes: [intAttribute('axis', -1)] },
    { opType: 'MatMul', inputs: ['p', 'v'], outputs: ['o'] },
  );
  const inputs = [bnsh('q', 'lq'), bnsh('k', 'lk'), bnsh('v', 'lk')];
  if (causal) inputs.push({ name: 'mask', elemType: FLOAT, shape: ['lq', 'lk'] });
  return encodeModel({
    name: causal ? 'sdpa_causal' : 'sdpa',
    nodes,
    inputs,
    outputs: [bnsh('o', 'lq')],
    initializers: [{ name: 'scale', dims: [], data: Float32Array.of(scale) }],
  });
}

/**
 * onnxruntime's contrib `MultiHeadAttention` (domain com.microsoft): query [batch, lq, heads·d],
 * key and value already split into heads [batch, heads, lk, d]; output [batch, lq, heads·d].
 * `unidirectional` = 1 makes it causal.
 */
export function multiHeadAttentionModel(heads: number, scale: number, causal: boolean): Uint8Array {
  return encodeModel(
    {
      name: 'mha',
      nodes: [
        {
          opType: 'MultiHeadAttention',
          domain: 'com.microsoft',
          inputs: ['q', 'k', 'v'],
          outputs: ['o'],
          attributes: [intAttribute('num_heads', heads), floatAttribute('scale', scale), intAttribute('unidirectional', causal ? 1 : 0)],
        },
      ],
      inputs: [{ name: 'q', elemType: FLOAT, shape: ['batch', 'lq', 'hidden'] }, bnsh('k', 'lk'), bnsh('v', 'lk')],
      outputs: [{ name: 'o', elemType: FLOAT, shape: ['batch', 'lq', 'hidden'] }],
    },
    { opset: 13, extraOpsets: [{ domain: 'com.microsoft', version: 1 }] },
  );
}

/** The standard ONNX `Attention` op (opset 23) on [batch, heads, length, d] inputs, `is_causal` for causal. */
export function attentionOpModel(scale: number, causal: boolean): Uint8Array {
  return encodeModel(
    {
      name: 'attention23',
      nodes: [
        {
          opType: 'Attention',
          inputs: ['q', 'k', 'v'],
          outputs: ['o'],
          attributes: [floatAttribute('scale', scale), intAttribute('is_causal', causal ? 1 : 0)],
        },
      ],
      inputs: [bnsh('q', 'lq'), bnsh('k', 'lk'), bnsh('v', 'lk')],
      outputs: [bnsh('o', 'lq')],
    },
    { opset: 23, irVersion: 10 },
  );
}
