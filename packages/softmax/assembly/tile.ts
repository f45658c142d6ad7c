// The 4×8 register tile shared by the GEMM micro-kernels (gemm.ts, gemmSmall.ts) and attention's score
// and P·V products (attention.ts).

/**
 * c_r ← c_r + Σ_{p<k} a[p][r]·b_p for the four rows r of a tile 8 columns wide, in eight f32x4
 * accumulators (row r: cr0 for columns 0–3, cr1 for 4–7; a splatted A scalar times two B vectors per
 * row and step, no horizontal sums). `pa` holds A pre-splatted ([p][row] vectors, 64 bytes per p, so
 * every operand is a plain load with a folded offset); b_p is the two vectors at pb + p·bs (bytes).
 * The accumulators start at c00..c31 and end at out + r·os (two vectors per row, bytes).
 *
 * Inlined into each kernel: AssemblyScript has no multi-value returns, so the tile leaves through
 * memory (the caller's destination, or a buffer it reads back). O(k) steps of 6 loads and 16 flops.
 */
// @ts-ignore: decorator
@inline
export function mac4x8(k: i32, pa: usize, pb: usize, bs: usize,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128, out: usize, os: usize): void {
  const end = pa + (<usize>k << 6);
  while (pa < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load(pa, 16);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load(pa, 32);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load(pa, 48);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += 64;
    pb += bs;
  }
  v128.store(out, c00);
  v128.store(out, c01, 16);
  v128.store(out + os, c10);
  v128.store(out + os, c11, 16);
  v128.store(out + 2 * os, c20);
  v128.store(out + 2 * os, c21, 16);
  v128.store(out + 3 * os, c30);
  v128.store(out + 3 * os, c31, 16);
}

/**
 * The one-row tile: out[0..8) ← c + Σ_{p<k} a_p·b_p with a_p the splatted vector at pa + p·as and b_p
 * the two vectors at pb + p·bs (bytes); even and odd steps go to separate accumulators so the
 * additions' latency overlaps (summed at the end, even + odd). O(k) steps of 3 loads and 4 flops.
 */
// @ts-ignore: decorator
@inline
export function mac1x8(k: i32, pa: usize, as: usize, pb: usize, bs: usize, c0: v128, c1: v128, out: usize): void {
  let e0 = f32x4.splat(0);
  let e1 = e0;
  const end2 = pa + <usize>(k & ~1) * as;
  while (pa < end2) {
    const a = v128.load(pa);
    c0 = f32x4.add(c0, f32x4.mul(a, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(a, v128.load(pb, 16)));
    const a2 = v128.load(pa + as);
    e0 = f32x4.add(e0, f32x4.mul(a2, v128.load(pb + bs)));
    e1 = f32x4.add(e1, f32x4.mul(a2, v128.load(pb + bs, 16)));
    pa += as << 1;
    pb += bs << 1;
  }
  if (k & 1) {
    const a = v128.load(pa);
    c0 = f32x4.add(c0, f32x4.mul(a, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(a, v128.load(pb, 16)));
  }
  v128.store(out, f32x4.add(c0, e0));
  v128.store(out, f32x4.add(c1, e1), 16);
}
