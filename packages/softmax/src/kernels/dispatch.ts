import { fail } from '../tensor/errors.js';
import type { FloatArray } from '../tensor/types.js';
import type { Backend } from './backend.js';
import { referenceBackend } from './reference/backend.js';
import { kernels, wasmFailure } from './wasm/module.js';
import { createWasmBackend } from './wasm/wasmBackend.js';

/** Which kernels to use: `'auto'` (WebAssembly SIMD for float32 when available), or force one. */
export type BackendPreference = 'auto' | 'wasm' | 'reference';

let preference: BackendPreference = 'auto';
let wasmBackend: Backend | null = null;

function wasm(): Backend | null {
  if (wasmBackend) return wasmBackend;
  const exports = kernels();
  if (exports) wasmBackend = createWasmBackend(exports);
  return wasmBackend;
}

/** The backend for arrays of this type under the current preference. Float64 always uses the reference. */
export function backendFor(data: FloatArray): Backend {
  if (preference === 'reference' || !(data instanceof Float32Array)) return referenceBackend;
  return wasm() ?? referenceBackend;
}

/**
 * Forces a backend (mainly for tests and benchmarks). `'wasm'` throws `E_STATE` if the WebAssembly
 * SIMD kernels are not available in this runtime (await `ready()` first in browsers).
 */
export function setBackend(name: BackendPreference): void {
  if (name !== 'auto' && name !== 'wasm' && name !== 'reference') fail('E_PARAM', 'backend', "'auto', 'wasm' or 'reference'", name);
  if (name === 'wasm' && !wasm()) {
    fail('E_STATE', 'backend', `available WebAssembly SIMD kernels (${String(wasmFailure() ?? 'not compiled yet: await ready()')})`);
  }
  preference = name;
}

/** What runs float32 work right now, and why. */
export interface BackendInfo {
  /** Backend used for float32 arrays. Float64 always runs on the reference kernels. */
  float32: 'wasm-simd' | 'reference';
  preference: BackendPreference;
  /** Why WebAssembly is not in use, when it is not. */
  reason?: string;
}

export function backendInfo(): BackendInfo {
  const active = preference === 'reference' ? null : wasm();
  const info: BackendInfo = { float32: active ? 'wasm-simd' : 'reference', preference };
  if (!active) info.reason = preference === 'reference' ? 'forced by setBackend' : String(wasmFailure() ?? 'not compiled yet: await ready()');
  return info;
}
