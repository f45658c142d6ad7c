// Packing of matrix panels for the register-tiled kernels (gemm.ts, gemmSmall.ts, attention.ts).

/** Transposes the 4×4 block held in rows r0..r3 and stores its columns at dst, dst + step, … (bytes). */
// @ts-ignore: decorator
@inline
export function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, step: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs `count` rows (or columns) of a width-`w` micro-panel layout: dst[p·w + r] = X(r0 + r, p0 + p)
 * for r < count (zero for count ≤ r < w), p < kc, where X(r, p) = x[r·rs + p·ps] (strides in floats).
 * `rs == 1` means the panel's w entries of one p are contiguous in memory (a transposed read);
 * `ps == 1` means each row is contiguous along p (4×4 transposes in registers).
 */
export function packPanel(x: usize, rs: i32, ps: i32, count: i32, kc: i32, w: i32, dst: usize): void {
  const wb = <usize>w << 2;
  if (count == w && rs == 1) {
    // Contiguous along the panel: w/4 vector copies per p.
    for (let p = 0; p < kc; p++) {
      const src = x + (<usize>p * <usize>ps << 2);
      const d = dst + <usize>p * wb;
      for (let r = 0; r < w; r += 4) v128.store(d + (<usize>r << 2), v128.load(src + (<usize>r << 2)));
    }
    return;
  }
  let p = 0;
  if (count == w && ps == 1) {
    // Rows contiguous along p: 4×4 transposes.
    for (; p + 4 <= kc; p += 4) {
      for (let r = 0; r < w; r += 4) {
        const src = x + ((<usize>r * <usize>rs + <usize>p) << 2);
        const rsb = <usize>rs << 2;
        storeTransposed4(v128.load(src), v128.load(src + rsb), v128.load(src + 2 * rsb), v128.load(src + 3 * rsb),
          dst + <usize>p * wb + (<usize>r << 2), wb);
      }
    }
  }
  for (; p < kc; p++) {
    const d = dst + <usize>p * wb;
    for (let r = 0; r < w; r++) {
      const v: f32 = r < count ? load<f32>(x + ((<usize>r * <usize>rs + <usize>p * <usize>ps) << 2)) : 0;
      store<f32>(d + (<usize>r << 2), v);
    }
  }
}
