import { allocate, softmax } from 'softmax';
import type { SoftmaxPeer } from './peer.js';
import { ourBackendDetails } from './library-info.js';

export const OURS = 'softmax (ours)';
export const OURS_ZERO_COPY = 'softmax zero-copy (ours)';

/** Our `softmax` on a `{ data, dims }` tensor, output allocated by the call (the default way to call it). */
export function oursPeer(): SoftmaxPeer {
  return {
    name: OURS,
    kind: 'softmax',
    async setup() {},
    run(input, rows, n) {
      return softmax({ data: input, dims: [rows, n] }).data;
    },
    async dispose() {},
    details: () => ourBackendDetails(),
  };
}

/**
 * Our zero-copy path: input and output live in the WebAssembly memory (`allocate`), the input is
 * copied there once in setup, and the timed call computes in place with no copy in or out.
 */
export function oursZeroCopyPeer(): SoftmaxPeer {
  let x: ReturnType<typeof allocate> | undefined;
  let y: ReturnType<typeof allocate> | undefined;
  let dims: number[] = [];
  return {
    name: OURS_ZERO_COPY,
    kind: 'softmax',
    async setup(input, rows, n) {
      x = allocate(input.length);
      y = allocate(input.length);
      // `.data` is re-created after memory growth, so it is read again after both allocations.
      x.data.set(input);
      dims = [rows, n];
    },
    run() {
      const out = y!.data;
      softmax({ data: x!.data, dims }, { out });
      return out;
    },
    async dispose() {
      x?.free();
      y?.free();
      x = y = undefined;
    },
    details: () => `${ourBackendDetails()}, input and output allocated in WebAssembly memory`,
  };
}
