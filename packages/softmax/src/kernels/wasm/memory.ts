import type { KernelExports } from './exports.js';

/**
 * Typed views on the kernels' memory. Memory growth (any alloc) detaches the old ArrayBuffer, so views
 * are re-created whenever the buffer object changes; never keep a view across an allocation.
 */
export class MemoryViews {
  private buffer: ArrayBuffer | null = null;
  private f32View = new Float32Array(0);
  private f64View = new Float64Array(0);
  private i32View = new Int32Array(0);

  constructor(private readonly wasm: KernelExports) {}

  private refresh(): void {
    const buffer = this.wasm.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.f32View = new Float32Array(buffer);
      this.f64View = new Float64Array(buffer);
      this.i32View = new Int32Array(buffer);
    }
  }

  get f32(): Float32Array {
    this.refresh();
    return this.f32View;
  }

  get f64(): Float64Array {
    this.refresh();
    return this.f64View;
  }

  get i32(): Int32Array {
    this.refresh();
    return this.i32View;
  }

  /** True if `a` is a view on this module's current memory (the zero-copy path). */
  owns(a: ArrayBufferView): boolean {
    return a.buffer === this.wasm.memory.buffer;
  }
}

/**
 * A growable scratch region inside the module's memory, 16-byte aligned. `ensure(bytes)` returns its
 * pointer, reallocating only when a larger size is needed.
 */
export class Scratch {
  private ptr = 0;
  private bytes = 0;

  constructor(private readonly wasm: KernelExports) {}

  ensure(bytes: number): number {
    if (bytes > this.bytes) {
      if (this.ptr) this.wasm.free(this.ptr);
      this.bytes = Math.max(bytes, this.bytes * 2, 1024);
      this.ptr = this.wasm.alloc(this.bytes);
    }
    return this.ptr;
  }
}
