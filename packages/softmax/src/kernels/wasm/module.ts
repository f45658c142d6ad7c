import { kernelsWasmBase64 } from './generated/kernels.js';
import { decodeBase64 } from './base64.js';
import type { KernelExports } from './exports.js';

/**
 * Loading of the WebAssembly SIMD kernels. Node compiles the module synchronously on first use; browsers
 * restrict synchronous compilation on the main thread, so there `ready()` compiles asynchronously and
 * the reference kernels answer until it resolves. Runtimes without SIMD keep the reference kernels.
 */
let instance: KernelExports | null = null;
let failed: unknown = null;
let pending: Promise<KernelExports | null> | null = null;
let syncRefused = false;

function bytes(): Uint8Array<ArrayBuffer> {
  return decodeBase64(kernelsWasmBase64) as Uint8Array<ArrayBuffer>;
}

function instantiate(module: WebAssembly.Module): KernelExports {
  const imports = {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`softmax: WebAssembly kernel aborted at ${line}:${column}`);
      },
    },
  };
  return new WebAssembly.Instance(module, imports).exports as unknown as KernelExports;
}

/** True when this runtime has WebAssembly with SIMD (the module validates). */
export function wasmSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(bytes());
}

/** The kernels, compiling synchronously if allowed; null if unavailable (not yet, or never). */
export function kernels(): KernelExports | null {
  if (instance || failed || syncRefused) return instance;
  try {
    if (!wasmSupported()) {
      failed = new Error('WebAssembly SIMD is not supported by this runtime');
      return null;
    }
    instance = instantiate(new WebAssembly.Module(bytes()));
  } catch {
    // Synchronous compilation of large modules is refused on browsers' main threads: ready() will do it.
    syncRefused = true;
    void ready();
    return null;
  }
  return instance;
}

/**
 * Resolves when the WebAssembly kernels are compiled (or known to be unavailable). Every function works
 * before it resolves, on the reference kernels.
 */
export function ready(): Promise<void> {
  if (instance || failed) return Promise.resolve();
  pending ??= (async () => {
    try {
      if (!wasmSupported()) throw new Error('WebAssembly SIMD is not supported by this runtime');
      const module = await WebAssembly.compile(bytes());
      instance = instantiate(module);
    } catch (error) {
      failed = error;
    }
    return instance;
  })();
  return pending.then(() => undefined);
}

/** Why the kernels are unavailable, if they are. */
export function wasmFailure(): unknown {
  return failed;
}
