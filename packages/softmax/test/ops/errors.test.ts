/**
 * Every bad argument throws a SoftmaxError with the documented `code`, and names the argument both in
 * the message and in `.argument`.
 */
import { describe, expect, it } from 'vitest';
import { backendInfo, crossEntropy, logSoftmax, logSumExp, setBackend, softmax, SoftmaxError, softmaxTopK } from '../../src/index.js';
import { expectSoftmaxError } from './helpers.js';

/** Lets a deliberately ill-typed value through the type checker. */
const bad = (v: unknown) => v as never;

const row = new Float64Array([1, 2, 3]);
const tensor = { data: new Float32Array(6), dims: [2, 3] };

describe('input validation', () => {
  it('length/dims mismatch → E_SHAPE (x.dims)', () => {
    const e = expectSoftmaxError(() => softmax({ data: new Float32Array(5), dims: [2, 3] }), 'E_SHAPE', 'x.dims');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('SoftmaxError');
    expectSoftmaxError(() => logSoftmax({ data: new Float64Array(7), dims: [2, 3] }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => logSumExp({ data: new Float64Array(0), dims: [1] }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => softmaxTopK({ data: new Float64Array(5), dims: [6] }, 1), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => crossEntropy({ data: new Float64Array(5), dims: [2, 3] }, [0, 0]), 'E_SHAPE', 'logits.dims');
  });

  it('bad dims (negative, non-integer, not an array) → E_SHAPE', () => {
    expectSoftmaxError(() => softmax({ data: new Float32Array(6), dims: [-2, -3] }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => softmax({ data: new Float32Array(6), dims: [1.5, 4] }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => softmax({ data: new Float32Array(6), dims: [6, NaN] }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => softmax({ data: new Float32Array(6), dims: bad('6') }), 'E_SHAPE', 'x.dims');
    expectSoftmaxError(() => logSumExp({ data: new Float32Array(6), dims: bad([2, '3']) }), 'E_SHAPE', 'x.dims');
  });

  it('non-float tensor data → E_DTYPE (x.data)', () => {
    expectSoftmaxError(() => softmax(bad({ data: new Int32Array(6), dims: [2, 3] })), 'E_DTYPE', 'x.data');
    expectSoftmaxError(() => logSoftmax(bad({ data: new Uint8Array(6), dims: [6] })), 'E_DTYPE', 'x.data');
    expectSoftmaxError(() => logSumExp(bad({ data: [1, 2, 3], dims: [3] })), 'E_DTYPE', 'x.data');
    expectSoftmaxError(() => crossEntropy(bad({ data: new Int32Array(6), dims: [2, 3] }), [0, 1]), 'E_DTYPE', 'logits.data');
  });

  it('a bare integer typed array is an array of the wrong element type → E_DTYPE (x)', () => {
    // E_DTYPE is documented as "an array has the wrong element type"; E_INPUT as "the wrong kind".
    expectSoftmaxError(() => softmax(bad(new Int32Array([1, 2, 3]))), 'E_DTYPE', 'x');
    expectSoftmaxError(() => logSumExp(bad(new Uint8Array([1, 2, 3]))), 'E_DTYPE', 'x');
  });

  it('non-array input → E_INPUT (x)', () => {
    for (const v of [5, 'abc', null, undefined, {}, { data: new Float32Array(2) }, true]) {
      expectSoftmaxError(() => softmax(bad(v)), 'E_INPUT', 'x');
    }
    expectSoftmaxError(() => logSoftmax(bad(42)), 'E_INPUT', 'x');
    expectSoftmaxError(() => logSumExp(bad('1,2')), 'E_INPUT', 'x');
    expectSoftmaxError(() => softmaxTopK(bad(null), 1), 'E_INPUT', 'x');
    expectSoftmaxError(() => crossEntropy(bad(7), 0), 'E_INPUT', 'logits');
    // A plain array holding a non-number names the element.
    expectSoftmaxError(() => softmax(bad([1, '2', 3])), 'E_INPUT', 'x[1]');
    // Options must be an object.
    expectSoftmaxError(() => softmax([1, 2], bad(5)), 'E_INPUT', 'options');
  });
});

describe('option validation', () => {
  it('axis out of range or not an integer → E_AXIS', () => {
    for (const axis of [2, -3, 1.5, NaN, Infinity, bad('0')]) {
      expectSoftmaxError(() => softmax(tensor, { axis }), 'E_AXIS', 'axis');
    }
    expectSoftmaxError(() => softmax(row, { axis: 1 }), 'E_AXIS', 'axis');
    expectSoftmaxError(() => logSoftmax(row, { axis: -2 }), 'E_AXIS', 'axis');
    expectSoftmaxError(() => logSumExp(tensor, { axis: 2 }), 'E_AXIS', 'axis');
    expectSoftmaxError(() => softmaxTopK(tensor, 1, { axis: -3 }), 'E_AXIS', 'axis');
    expectSoftmaxError(() => softmax.vjp(tensor, tensor, { axis: 5 }), 'E_AXIS', 'axis');
    // A scalar tensor has no axis at all.
    expectSoftmaxError(() => softmax({ data: new Float64Array(1), dims: [] }), 'E_AXIS', 'axis');
  });

  it('temperature ≤ 0, NaN, ±Infinity or not a number → E_PARAM', () => {
    for (const temperature of [0, -0, -1, NaN, Infinity, -Infinity, bad('1')]) {
      expectSoftmaxError(() => softmax(row, { temperature }), 'E_PARAM', 'temperature');
      expectSoftmaxError(() => logSoftmax(row, { temperature }), 'E_PARAM', 'temperature');
      expectSoftmaxError(() => logSumExp(row, { temperature }), 'E_PARAM', 'temperature');
      expectSoftmaxError(() => softmaxTopK(row, 1, { temperature }), 'E_PARAM', 'temperature');
    }
    expectSoftmaxError(() => softmax.vjp(row, row, { temperature: 0 }), 'E_PARAM', 'temperature');
  });

  it('unknown algorithm, fullyMasked policy or backend → E_PARAM', () => {
    expectSoftmaxError(() => softmax(row, { algorithm: bad('fast') }), 'E_PARAM', 'algorithm');
    expectSoftmaxError(() => softmax(row, { algorithm: bad('') }), 'E_PARAM', 'algorithm');
    expectSoftmaxError(() => softmax(row, { fullyMasked: bad('skip') }), 'E_PARAM', 'fullyMasked');
    expectSoftmaxError(() => setBackend(bad('gpu')), 'E_PARAM', 'backend');
    expect(backendInfo().preference).toBe('auto'); // a rejected call changes nothing
  });

  it('k out of range (0, n + 1, non-integer) → E_PARAM', () => {
    for (const k of [0, 4, 1.5, -1, NaN, bad('2')]) {
      expectSoftmaxError(() => softmaxTopK(row, k), 'E_PARAM', 'k');
    }
    // On a tensor, n is the length of the axis.
    expectSoftmaxError(() => softmaxTopK(tensor, 3, { axis: 0 }), 'E_PARAM', 'k');
    expect(softmaxTopK(tensor, 2, { axis: 0 }).indices.dims).toEqual([2, 3]);
  });

  it('out of the wrong type or length → E_DTYPE / E_SHAPE', () => {
    expectSoftmaxError(() => softmax(row, { out: new Float32Array(3) }), 'E_DTYPE', 'out');
    expectSoftmaxError(() => softmax(new Float32Array(3), { out: new Float64Array(3) }), 'E_DTYPE', 'out');
    expectSoftmaxError(() => softmax(row, { out: bad([0, 0, 0]) }), 'E_DTYPE', 'out');
    expectSoftmaxError(() => logSoftmax(row, { out: bad(new Int32Array(3)) }), 'E_DTYPE', 'out');
    expectSoftmaxError(() => softmax(row, { out: new Float64Array(4) }), 'E_SHAPE', 'out');
    expectSoftmaxError(() => logSoftmax(tensor, { out: new Float32Array(5) }), 'E_SHAPE', 'out');
    expectSoftmaxError(() => softmax(tensor, { out: { data: new Float32Array(7), dims: [7] } }), 'E_SHAPE', 'out');
    // logSumExp's out has the reduced size.
    expectSoftmaxError(() => logSumExp(tensor, { out: new Float32Array(6) }), 'E_SHAPE', 'out');
    expectSoftmaxError(() => softmax.vjp(row, row, { out: new Float64Array(2) }), 'E_SHAPE', 'out');
    expectSoftmaxError(() => crossEntropy.vjp(0, 1, { x: row, labels: 0, out: new Float32Array(3) }), 'E_DTYPE', 'out');
  });

  it('a mask of a non-broadcastable shape → E_SHAPE (mask)', () => {
    expectSoftmaxError(() => softmax(row, { mask: [true, false] }), 'E_SHAPE', 'mask');
    expectSoftmaxError(() => softmax(tensor, { mask: [1, 0] }), 'E_SHAPE', 'mask');
    expectSoftmaxError(() => softmax(tensor, { mask: { data: [1, 0, 1], dims: [3, 1] } }), 'E_SHAPE', 'mask');
    expectSoftmaxError(() => logSoftmax(tensor, { mask: { data: new Uint8Array(6), dims: [1, 2, 3, 1] } }), 'E_SHAPE', 'mask');
    expectSoftmaxError(() => logSumExp(tensor, { mask: { data: [1, 1, 1, 1], dims: [2, 2] } }), 'E_SHAPE', 'mask');
    expectSoftmaxError(() => softmaxTopK(row, 1, { mask: [1, 1, 1, 1] }), 'E_SHAPE', 'mask');
    // mask.dims that disagree with mask.data are named as such.
    expectSoftmaxError(() => softmax(tensor, { mask: { data: [1, 0, 1], dims: [2, 3] } }), 'E_SHAPE', 'mask.dims');
    // Broadcastable shapes are accepted: [3], [1, 3], [2, 1].
    for (const mask of [[1, 0, 1], { data: [1, 0, 1], dims: [1, 3] }, { data: [1, 0], dims: [2, 1] }]) {
      expect(softmax({ data: new Float64Array(6), dims: [2, 3] }, { mask }).dims).toEqual([2, 3]);
    }
  });
});

describe('backward-pass validation', () => {
  it('vjp with a mismatched dy → E_SHAPE (dy), of another float type → E_DTYPE', () => {
    expectSoftmaxError(() => softmax.vjp(row, new Float64Array(4)), 'E_SHAPE', 'dy');
    expectSoftmaxError(() => logSoftmax.vjp(row, new Float64Array(2)), 'E_SHAPE', 'dy');
    expectSoftmaxError(() => softmax.vjp(tensor, { data: new Float32Array(6), dims: [3, 2] }), 'E_SHAPE', 'dy');
    expectSoftmaxError(() => logSoftmax.vjp(tensor, { data: new Float32Array(6), dims: [6] }), 'E_SHAPE', 'dy');
    expectSoftmaxError(() => softmax.vjp(row, new Float32Array(3)), 'E_DTYPE', 'dy');
    expectSoftmaxError(() => softmax.vjp(row, bad('dy')), 'E_INPUT', 'dy');
    // logSumExp: y and dy have the reduced shape.
    expectSoftmaxError(() => logSumExp.vjp(0, new Float64Array(2), { x: row }), 'E_SHAPE', 'dy');
    expectSoftmaxError(() => logSumExp.vjp({ data: new Float32Array(2), dims: [2] }, 1, { x: tensor }), 'E_SHAPE', 'dy');
    expectSoftmaxError(() => logSumExp.vjp({ data: new Float32Array(3), dims: [3] }, { data: new Float32Array(2), dims: [2] }, { x: tensor }), 'E_SHAPE', 'y');
  });

  it('logSumExp.vjp without x → E_PARAM (x)', () => {
    expectSoftmaxError(() => logSumExp.vjp(1, 1, bad({})), 'E_PARAM', 'x');
    expectSoftmaxError(() => logSumExp.vjp(1, 1, bad(undefined)), 'E_PARAM', 'x');
  });

  it('crossEntropy.vjp without logits or labels → E_PARAM; wrong dy → E_SHAPE / E_PARAM', () => {
    expectSoftmaxError(() => crossEntropy.vjp(0, 1, bad({ labels: [0] })), 'E_PARAM', 'x');
    expectSoftmaxError(() => crossEntropy.vjp(0, 1, bad({ x: row })), 'E_PARAM', 'labels');
    expectSoftmaxError(() => crossEntropy.vjp(0, [1, 2], { x: row, labels: 0, reduction: 'none' }), 'E_SHAPE', 'dy');
    expectSoftmaxError(() => crossEntropy.vjp(0, [1], { x: row, labels: 0 }), 'E_PARAM', 'dy');
    expectSoftmaxError(() => crossEntropy.vjp(0, NaN, { x: row, labels: 0 }), 'E_PARAM', 'dy');
  });
});

describe('crossEntropy validation', () => {
  const logits = { data: new Float64Array(6), dims: [2, 3] };

  it('a label out of range or not an integer → E_PARAM naming the label', () => {
    expectSoftmaxError(() => crossEntropy(logits, [0, 3]), 'E_PARAM', 'labels[1]');
    expectSoftmaxError(() => crossEntropy(logits, [-1, 0]), 'E_PARAM', 'labels[0]');
    expectSoftmaxError(() => crossEntropy(logits, [0, 1.5]), 'E_PARAM', 'labels[1]');
    expectSoftmaxError(() => crossEntropy(logits, [NaN, 0]), 'E_PARAM', 'labels[0]');
    expectSoftmaxError(() => crossEntropy(row, 3), 'E_PARAM', 'labels[0]');
    // −100 is the default ignore index, so it is not out of range; with another ignoreIndex it is.
    expect(crossEntropy(logits, [-100, 0], { reduction: 'sum' })).toBeCloseTo(Math.log(3), 14); // uniform logits: log 3
    expectSoftmaxError(() => crossEntropy(logits, [-100, 0], { ignoreIndex: -1 }), 'E_PARAM', 'labels[0]');
  });

  it('label count mismatch → E_SHAPE (labels)', () => {
    expectSoftmaxError(() => crossEntropy(logits, [0]), 'E_SHAPE', 'labels');
    expectSoftmaxError(() => crossEntropy(logits, [0, 1, 2]), 'E_SHAPE', 'labels');
    expectSoftmaxError(() => crossEntropy(logits, 1), 'E_SHAPE', 'labels');
    expectSoftmaxError(() => crossEntropy(logits, bad('01')), 'E_INPUT', 'labels');
  });

  it('labelSmoothing outside [0, 1] or non-finite → E_PARAM; bad reduction or ignoreIndex → E_PARAM', () => {
    for (const labelSmoothing of [-0.1, 1.1, NaN, Infinity, bad('0.1')]) {
      expectSoftmaxError(() => crossEntropy(logits, [0, 1], { labelSmoothing }), 'E_PARAM', 'labelSmoothing');
    }
    expectSoftmaxError(() => crossEntropy(logits, [0, 1], { reduction: bad('avg') }), 'E_PARAM', 'reduction');
    expectSoftmaxError(() => crossEntropy(logits, [0, 1], { ignoreIndex: 0.5 }), 'E_PARAM', 'ignoreIndex');
    expectSoftmaxError(() => crossEntropy.vjp(0, 1, { x: logits, labels: [0, 1], labelSmoothing: 2 }), 'E_PARAM', 'labelSmoothing');
  });
});

describe('SoftmaxError', () => {
  it('is an Error subclass whose code and argument are stable fields', () => {
    const e = expectSoftmaxError(() => softmax(row, { temperature: -1 }), 'E_PARAM', 'temperature');
    expect(e).toBeInstanceOf(SoftmaxError);
    expect(e.argument).toBe('temperature');
    expect(e.message).toContain('-1'); // the offending value
  });
});
