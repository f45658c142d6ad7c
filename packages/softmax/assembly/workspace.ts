// Module-owned scratch buffers of the kernels (gemm.ts, gemmSmall.ts, attention.ts): one per module, so
// a kernel that calls another never shares its buffer.

/** Bytes of a workspace slot: the buffer's pointer, then its size in bytes. */
export const SLOT_BYTES: i32 = 2 * sizeof<usize>();

/**
 * The buffer of `slot` (static memory of SLOT_BYTES bytes, zero at start) grown to at least `bytes`
 * bytes: reallocated (contents dropped) to max(bytes, 2·size) when smaller, never shrunk.
 * O(1) unless it grows.
 */
export function workspace(slot: usize, bytes: usize): usize {
  const size = load<usize>(slot, sizeof<usize>());
  if (bytes > size) {
    const old = load<usize>(slot);
    if (old) heap.free(old);
    const grown = max(bytes, size << 1);
    store<usize>(slot, heap.alloc(grown));
    store<usize>(slot, grown, sizeof<usize>());
  }
  return load<usize>(slot);
}
