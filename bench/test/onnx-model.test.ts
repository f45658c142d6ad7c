import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { encodeModel, intAttribute, OnnxDataType, softmaxModel } from '../src/peers/onnx-model.js';
import { ProtoWriter } from '../src/peers/protobuf-writer.js';

const sessionOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

function softmaxRows(x: readonly number[], rows: number, n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = x.slice(r * n, (r + 1) * n);
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    out.push(...exps.map((e) => e / sum));
  }
  return out;
}

describe('protobuf writer', () => {
  it('encodes varints, including negative int64 in ten bytes', () => {
    expect([...new ProtoWriter().varint(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    const negative = new ProtoWriter().varint(3, -1).finish();
    expect(negative.length).toBe(11);
    expect([...negative.slice(1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('encodes strings as length-delimited fields', () => {
    expect([...new ProtoWriter().string(2, 'ab').finish()]).toEqual([0x12, 0x02, 0x61, 0x62]);
  });
});

describe('ONNX model encoder', () => {
  it('builds a Softmax model onnxruntime-node loads, with symbolic dims, matching a hand computation', async () => {
    const session = await ort.InferenceSession.create(softmaxModel(), sessionOptions);
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    const x = [1, 2, 3, -1, 0, 1000, 0.5, 0.25, -2, 4, 4, 4];
    for (const [rows, n] of [[2, 6], [3, 4]] as const) {
      const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [rows, n]) });
      const y = result.y;
      expect(y.dims).toEqual([rows, n]);
      const expected = softmaxRows(x, rows, n);
      const got = Array.from(y.data as Float32Array);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    }
    await session.release();
  });

  it('encodes initializers and multi-node graphs (MatMul then Softmax over axis 0)', async () => {
    const w = Float32Array.from([1, 0, 2, 0, 1, -1]); // [2, 3]
    const model = encodeModel({
      name: 'matmul_softmax',
      nodes: [
        { opType: 'MatMul', inputs: ['x', 'w'], outputs: ['s'] },
        { opType: 'Softmax', inputs: ['s'], outputs: ['y'], attributes: [intAttribute('axis', 0)] },
      ],
      initializers: [{ name: 'w', dims: [2, 3], data: w }],
      inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, shape: ['rows', 2] }],
      outputs: [{ name: 'y', elemType: OnnxDataType.FLOAT, shape: ['rows', 3] }],
    });
    const session = await ort.InferenceSession.create(model, sessionOptions);
    const x = [0.5, 1, -1, 2];
    const result = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [2, 2]) });
    // s = x·w, then softmax down each column (axis 0).
    const s = [0, 1].map((r) => [0, 1, 2].map((c) => x[r * 2] * w[c] + x[r * 2 + 1] * w[3 + c]));
    const expected = [0, 1].flatMap((r) => [0, 1, 2].map((c) => Math.exp(s[r][c]) / (Math.exp(s[0][c]) + Math.exp(s[1][c]))));
    Array.from(result.y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    await session.release();
  });
});
