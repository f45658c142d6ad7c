import { allocate, backendInfo } from 'softmax';

/** Which kernels our library runs float32 work on, for the report (e.g. "wasm-simd"). */
export function ourBackendDetails(): string {
  const info = backendInfo();
  return info.reason === undefined ? info.float32 : `${info.float32} (${info.reason})`;
}

/**
 * Current size of the library's WebAssembly memory in bytes, read from the buffer behind an
 * allocation (the library does not otherwise expose its memory). 0 when the kernels are not in use.
 */
export function wasmMemoryBytes(): number {
  if (backendInfo().float32 !== 'wasm-simd') return 0;
  const probe = allocate(1);
  try {
    return probe.data.buffer.byteLength;
  } finally {
    probe.free();
  }
}
