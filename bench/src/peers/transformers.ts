import type { SoftmaxPeer } from './peer.js';

type SoftmaxRow = <T extends Float32Array>(row: T) => T;

let softmaxModule: Promise<SoftmaxRow> | undefined;
/** transformers.js pulls in onnxruntime and sharp on import; loaded only when this peer is used. */
function loadSoftmax(): Promise<SoftmaxRow> {
  softmaxModule ??= import('@huggingface/transformers').then((m) => m.softmax as SoftmaxRow);
  return softmaxModule;
}

/** transformers.js's exported `softmax`, which takes one row; applied row by row over the batch. */
export function transformersPeer(): SoftmaxPeer {
  let softmax: SoftmaxRow | undefined;
  return {
    name: 'transformers.js',
    kind: 'softmax',
    async setup() {
      softmax = await loadSoftmax();
    },
    run(input, rows, n) {
      const out: Float32Array[] = new Array<Float32Array>(rows);
      for (let r = 0; r < rows; r++) out[r] = softmax!(input.subarray(r * n, (r + 1) * n));
      return out;
    },
    async dispose() {},
    details: () => 'exported softmax(row), called once per row',
  };
}
