/** attention / attention.vjp reject every bad input with a SoftmaxError naming the argument. */
import { describe, it } from 'vitest';
import { attention } from '../../src/attention/attention.js';
import type { AttentionOptions } from '../../src/attention/attentionTypes.js';
import type { SoftmaxErrorCode } from '../../src/tensor/errors.js';
import { expectSoftmaxError } from '../ops/helpers.js';

const t = (dims: number[], F: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) => ({ data: new F(dims.reduce((a, b) => a * b, 1)), dims });
const q = t([1, 2, 3, 4]);
const k = t([1, 1, 5, 4]);
const v = t([1, 1, 5, 2]);

describe('attention errors', () => {
  const bad: [string, () => unknown, SoftmaxErrorCode, string][] = [
    ['q not a tensor', () => attention(new Float64Array(4) as never, k, v), 'E_INPUT', 'q'],
    ['q of rank 3', () => attention(t([2, 3, 4]), k, v), 'E_SHAPE', 'q.dims'],
    ['dims not matching data', () => attention({ data: new Float64Array(5), dims: [1, 2, 3, 4] }, k, v), 'E_SHAPE', 'q.dims'],
    ['integer data', () => attention({ data: new Int32Array(24), dims: [1, 2, 3, 4] } as never, k, v), 'E_DTYPE', 'q.data'],
    ['k of another float type', () => attention(q, t([1, 1, 5, 4], Float32Array) as never, v), 'E_DTYPE', 'k.data'],
    ['k headDim', () => attention(q, t([1, 1, 5, 3]), v), 'E_SHAPE', 'k.dims'],
    ['k batch', () => attention(q, t([2, 1, 5, 4]), v), 'E_SHAPE', 'k.dims'],
    ['v length', () => attention(q, k, t([1, 1, 4, 2])), 'E_SHAPE', 'v.dims'],
    ['kv heads not dividing q heads', () => attention(t([1, 3, 3, 4]), t([1, 2, 5, 4]), t([1, 2, 5, 2])), 'E_SHAPE', 'k.dims'],
    ['options not an object', () => attention(q, k, v, 3 as never), 'E_INPUT', 'options'],
    ['scale NaN', () => attention(q, k, v, { scale: NaN }), 'E_PARAM', 'scale'],
    ['causal not boolean', () => attention(q, k, v, { causal: 'yes' as never }), 'E_PARAM', 'causal'],
    ['returnWeights not boolean', () => attention(q, k, v, { returnWeights: 1 as never }), 'E_PARAM', 'returnWeights'],
    ['mask not broadcastable', () => attention(q, k, v, { mask: new Uint8Array(4) }), 'E_SHAPE', 'mask'],
    ['mask of rank 5', () => attention(q, k, v, { mask: { data: new Uint8Array(5), dims: [1, 1, 1, 1, 5] } }), 'E_SHAPE', 'mask'],
    ['mask value 2', () => attention(q, k, v, { mask: Uint8Array.of(1, 2, 1, 1, 1) }), 'E_INPUT', 'mask'],
    ['mask dims vs data', () => attention(q, k, v, { mask: { data: new Uint8Array(4), dims: [5] } }), 'E_SHAPE', 'mask.dims'],
    ['additive mask of another float type', () => attention(q, k, v, { mask: { data: new Float32Array(5), dims: [5] } }), 'E_DTYPE', 'mask.data'],
    ['mask of strings', () => attention(q, k, v, { mask: ['a'] as never }), 'E_INPUT', 'mask'],
    ['unknown normalizer', () => attention(q, k, v, { normalizer: 'softmaxx' }), 'E_PARAM', 'normalizer'],
    ['sinkhorn', () => attention(q, k, v, { normalizer: 'sinkhorn' }), 'E_PARAM', 'normalizer'],
    ['not a Normalizer object', () => attention(q, k, v, { normalizer: { name: 'x' } as never }), 'E_PARAM', 'normalizer'],
    ['options for softmax', () => attention(q, k, v, { normalizerOptions: { alpha: 2 } }), 'E_PARAM', 'normalizerOptions'],
    ['normalizerOptions not an object', () => attention(q, k, v, { normalizer: 'relu', normalizerOptions: 3 as never }), 'E_PARAM', 'normalizerOptions'],
    ['reserved normaliser option', () => attention(q, k, v, { normalizer: 'sparsemax', normalizerOptions: { axis: 0 } }), 'E_PARAM', 'normalizerOptions.axis'],
    ['unknown score-map option', () => attention(q, k, v, { normalizer: 'sigmoid', normalizerOptions: { gamma: 1 } }), 'E_PARAM', 'normalizerOptions.gamma'],
    ['sigmoid bias NaN', () => attention(q, k, v, { normalizer: 'sigmoid', normalizerOptions: { bias: NaN } }), 'E_PARAM', 'normalizerOptions.bias'],
    ['softplus power < 1', () => attention(q, k, v, { normalizer: 'softplus', normalizerOptions: { power: 0.5 } }), 'E_PARAM', 'normalizerOptions.power'],
    ['softplus length 0', () => attention(q, k, v, { normalizer: 'softplus', normalizerOptions: { length: 0 } }), 'E_PARAM', 'normalizerOptions.length'],
    ['entmax alpha < 1 (the normaliser validates)', () => attention(q, k, v, { normalizer: 'entmax', normalizerOptions: { alpha: 0.5 } }), 'E_PARAM', 'alpha'],
    ['temperature ≤ 0', () => attention(q, k, v, { temperature: new Float64Array(6).fill(-1) }), 'E_PARAM', 'temperature'],
    ['temperature count', () => attention(q, k, v, { temperature: new Float64Array(5).fill(1) }), 'E_SHAPE', 'temperature'],
    ['temperature dims', () => attention(q, k, v, { temperature: { data: new Float64Array(6).fill(1), dims: [1, 3, 2] } }), 'E_SHAPE', 'temperature.dims'],
    ['temperature float type', () => attention(q, k, v, { temperature: new Float32Array(6).fill(1) }), 'E_DTYPE', 'temperature'],
    ['temperature function result', () => attention(q, k, v, { temperature: () => 0 }), 'E_PARAM', 'temperature(0, 0)'],
    ['gate not an object', () => attention(q, k, v, { gate: 1 as never }), 'E_INPUT', 'gate'],
    ['gate mode', () => attention(q, k, v, { gate: { x: t([1, 3, 4]), weight: t([2, 2]), mode: 'output' as never } }), 'E_PARAM', 'gate.mode'],
    ['gate x length', () => attention(q, k, v, { gate: { x: t([1, 4, 4]), weight: t([2, 2]), mode: 'input' } }), 'E_SHAPE', 'gate.x.dims'],
    ['gate input dModel not divisible', () => attention(q, k, v, { gate: { x: t([1, 3, 5]), weight: t([2, 2]), mode: 'input' } }), 'E_SHAPE', 'gate.x.dims'],
    ['gate input weight', () => attention(q, k, v, { gate: { x: t([1, 3, 4]), weight: t([2, 3]), mode: 'input' } }), 'E_SHAPE', 'gate.weight.dims'],
    ['gate query weight', () => attention(q, k, v, { gate: { x: t([1, 3, 4]), weight: t([4, 3]), mode: 'query' } }), 'E_SHAPE', 'gate.weight.dims'],
    ['gate bias', () => attention(q, k, v, { gate: { x: t([1, 3, 4]), weight: t([4, 2]), bias: new Float64Array(3), mode: 'query' } }), 'E_SHAPE', 'gate.bias.dims'],
    ['gate x float type', () => attention(q, k, v, { gate: { x: t([1, 3, 4], Float32Array), weight: t([4, 2]), mode: 'query' } }), 'E_DTYPE', 'gate.x.data'],
    ['out of another float type', () => attention(q, k, v, { out: new Float32Array(12) }), 'E_DTYPE', 'out'],
    ['out of the wrong length', () => attention(q, k, v, { out: new Float64Array(11) }), 'E_SHAPE', 'out'],
    ['out overlapping q', () => attention(q, k, v, { out: q.data.subarray(0, 12) }), 'E_PARAM', 'out'],
  ];
  for (const [name, run, code, arg] of bad) it(name, () => expectSoftmaxError(run, code, arg));
});

describe('attention.vjp errors', () => {
  const opts: AttentionOptions = { causal: true };
  it('dOut dims', () => expectSoftmaxError(() => attention.vjp(q, k, v, t([1, 2, 3, 4]), opts), 'E_SHAPE', 'dOut.dims'));
  it('dOut float type', () => expectSoftmaxError(() => attention.vjp(q, k, v, t([1, 2, 3, 2], Float32Array) as never, opts), 'E_DTYPE', 'dOut.data'));
  it('dOut missing', () => expectSoftmaxError(() => attention.vjp(q, k, v, undefined as never, opts), 'E_INPUT', 'dOut'));
  it('bad options as in the forward', () => expectSoftmaxError(() => attention.vjp(q, k, v, t([1, 2, 3, 2]), { scale: Infinity }), 'E_PARAM', 'scale'));
});
