/** The WebAssembly SIMD kernels of this Node, raw and as a Backend, for the kernel tests (throws if unavailable). */
import type { Backend } from '../../src/kernels/backend.js';
import { kernels } from '../../src/kernels/wasm/module.js';
import { createWasmBackend } from '../../src/kernels/wasm/wasmBackend.js';

const loaded = kernels();
if (!loaded) throw new Error('WebAssembly SIMD kernels unavailable in this Node');

export const wasmExports = loaded;
export const wasm: Backend = createWasmBackend(wasmExports);
