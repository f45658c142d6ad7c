import type { InferenceSession } from 'onnxruntime-node';
import { softmaxModel } from './onnx-model.js';
import type { SoftmaxPeer } from './peer.js';

export type Ort = typeof import('onnxruntime-node');

let ortModule: Promise<Ort> | undefined;
/** Loaded on first use so suites that do not need it do not pay for the native addon. */
export function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** One thread, sequential: the same single core our kernels use, so the comparison is per-core. */
export const ORT_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** onnxruntime-node running a one-node Softmax model (opset 13, axis −1) built in memory. */
export function onnxRuntimePeer(): SoftmaxPeer {
  let ort: Ort | undefined;
  let session: InferenceSession | undefined;
  return {
    name: 'onnxruntime-node',
    kind: 'softmax',
    async setup() {
      ort = await loadOrt();
      session = await ort.InferenceSession.create(softmaxModel(-1, 13), ORT_SESSION_OPTIONS);
    },
    // Timed: wrapping the input in a Tensor, the run, and reading the output — what a caller does.
    async run(input, rows, n) {
      const x = new ort!.Tensor('float32', input, [rows, n]);
      const result = await session!.run({ x });
      return result.y.data as Float32Array;
    },
    async dispose() {
      await session?.release();
      session = undefined;
    },
    details() {
      return `intraOpNumThreads ${ORT_SESSION_OPTIONS.intraOpNumThreads}, ${ORT_SESSION_OPTIONS.executionMode}, opset 13 model built in memory`;
    },
  };
}
