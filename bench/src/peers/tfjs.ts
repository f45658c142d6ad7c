import { createRequire } from 'node:module';
import path from 'node:path';
import type { SoftmaxPeer } from './peer.js';

export type Tf = typeof import('@tensorflow/tfjs-core');
export type TfjsBackendName = 'wasm' | 'cpu';

let tfModule: Promise<Tf> | undefined;

/**
 * Loads tfjs-core with both backends registered. The wasm backend fetches its .wasm binaries at
 * init; in Node that means a file path (with trailing separator) to the package's dist directory.
 */
export function loadTfjs(): Promise<Tf> {
  tfModule ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    // Production mode: no debug checks, and no "install tfjs-node" banner in the middle of progress output.
    tf.enableProdMode();
    return tf;
  })();
  return tfModule;
}

export async function activate(tf: Tf, backend: TfjsBackendName): Promise<void> {
  if (tf.getBackend() === backend) return;
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`tfjs backend "${backend}" failed to initialise`);
}

/** Threads the tfjs wasm backend runs kernels on (1 in Node: no worker-backed SharedArrayBuffer build is loaded). */
export function wasmThreads(tf: Tf): number | undefined {
  const backend = tf.findBackend('wasm') as unknown as { wasm?: { _get_threads_count?: () => number } } | null;
  return backend?.wasm?._get_threads_count?.();
}

/**
 * tfjs-core's `tf.softmax` on the given backend. Both backends live in one process; the active
 * backend is switched before each timed call, outside the timed region.
 */
export function tfjsPeer(backend: TfjsBackendName): SoftmaxPeer {
  let tf: Tf | undefined;
  return {
    name: `tfjs-${backend}`,
    kind: 'softmax',
    async setup() {
      tf = await loadTfjs();
      await activate(tf, backend);
      if (backend === 'wasm') {
        const threads = wasmThreads(tf);
        if (threads !== undefined && threads !== 1) throw new Error(`tfjs-wasm runs on ${threads} threads; the comparison is single-threaded`);
      }
    },
    async beforeRun() {
      await activate(tf!, backend);
    },
    // Timed: tensor creation (a copy into the backend), the kernel, reading the result back, disposal.
    // dataSync() runs outside tidy(): tidy walks its callback's return value looking for tensors, and
    // walking a 4M-element typed array key by key costs seconds — an artefact no tfjs user would keep.
    run(input, rows, n) {
      const t = tf!;
      const y = t.tidy(() => t.softmax(t.tensor2d(input, [rows, n])));
      const data = y.dataSync() as Float32Array;
      y.dispose();
      return data;
    },
    async dispose() {},
    details() {
      if (tf === undefined) return undefined;
      if (backend === 'cpu') return '1 thread, JavaScript kernels';
      const threads = wasmThreads(tf);
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
      return `${threads ?? 'unknown'} thread${threads === 1 ? '' : 's'}, ${simd}`;
    },
  };
}
