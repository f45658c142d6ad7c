import { fail } from '../../tensor/errors.js';
import { kernels } from './module.js';

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ ptr: number; free(ptr: number): void }>((held) => held.free(held.ptr))
  : null;

/**
 * A float32 array that lives in the WebAssembly kernels' memory: the zero-copy path. Pass `.data` as
 * an input's data or as `out` and the kernels read and write it in place, with no staging copies.
 *
 * `.data` is re-created after the module's memory grows (growth detaches old views), so read it again
 * after any `allocate` call instead of keeping it. Call `free()` when done (a finalizer also frees it if
 * the handle is garbage-collected).
 */
export class WasmFloat32Array {
  readonly length: number;
  private ptr: number;
  private view: Float32Array;
  private readonly token = {};

  /** @internal */
  constructor(length: number) {
    const wasm = kernels();
    if (!wasm) fail('E_STATE', 'allocate', 'the WebAssembly SIMD kernels (await ready() first; unavailable without SIMD)');
    this.length = length;
    this.ptr = wasm.alloc(Math.max(length, 1) * 4);
    this.view = new Float32Array(wasm.memory.buffer, this.ptr, length);
    registry?.register(this, { ptr: this.ptr, free: (p) => wasm.free(p) }, this.token);
  }

  /** The current view (valid until the next allocation that grows memory). */
  get data(): Float32Array {
    if (this.ptr === 0) fail('E_STATE', 'data', 'an array that has not been freed');
    if (this.view.buffer !== kernels()!.memory.buffer) {
      this.view = new Float32Array(kernels()!.memory.buffer, this.ptr, this.length);
    }
    return this.view;
  }

  get freed(): boolean {
    return this.ptr === 0;
  }

  /** Returns the memory to the module. Using `.data` afterwards throws `E_STATE`. */
  free(): void {
    if (this.ptr === 0) return;
    registry?.unregister(this.token);
    kernels()!.free(this.ptr);
    this.ptr = 0;
    this.view = new Float32Array(0);
  }
}

/** Allocates a zero-copy float32 array of `length` elements in the kernels' memory (zero-filled). */
export function allocate(length: number): WasmFloat32Array {
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) fail('E_PARAM', 'length', 'a non-negative integer', length);
  const a = new WasmFloat32Array(length);
  a.data.fill(0);
  return a;
}
