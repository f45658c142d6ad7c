import type { SoftmaxPeer } from './peer.js';

/** The loop a user writes by hand: max, then Σ exp (Math.exp), then divide; output allocated per call. */
export function plainSoftmax(input: Float32Array, rows: number, n: number): Float32Array {
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const start = r * n;
    const end = start + n;
    let max = -Infinity;
    for (let i = start; i < end; i++) if (input[i] > max) max = input[i];
    let sum = 0;
    for (let i = start; i < end; i++) {
      const e = Math.exp(input[i] - max);
      out[i] = e;
      sum += e;
    }
    for (let i = start; i < end; i++) out[i] /= sum;
  }
  return out;
}

export function plainLoopPeer(): SoftmaxPeer {
  return {
    name: 'plain JS loop',
    kind: 'softmax',
    async setup() {},
    run: plainSoftmax,
    async dispose() {},
  };
}
