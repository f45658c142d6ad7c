/**
 * The Hamilton product as "algebra rules" of a parameterised hypercomplex (PHM) layer: four 4×4 matrices
 * A_r, A_i, A_j, A_k with W = Σ_c A_c ⊗ W_c (Kronecker product) equal to the real block matrix of the
 * quaternion linear map y = W ⊗ x in `[r | i | j | k]` blocks (rows: output component, columns: input
 * component):
 *
 *   [[W_r, −W_i, −W_j, −W_k],
 *    [W_i,  W_r, −W_k,  W_j],
 *    [W_j,  W_k,  W_r, −W_i],
 *    [W_k, −W_j,  W_i,  W_r]]
 *
 * (Parcollet et al., "Quaternion recurrent neural networks", ICLR 2019; Zhang et al., "Beyond
 * fully-connected layers with quaternions", ICLR 2021.)
 */

/** [component of W_c][output block][input block] signs, C order. */
const SIGNS: readonly (readonly (readonly number[])[])[] = [
  [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
  [[0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]],
  [[0, 0, -1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, -1, 0, 0]],
  [[0, 0, 0, -1], [0, 0, -1, 0], [0, 1, 0, 0], [1, 0, 0, 0]],
];

/** The Hamilton rules `[4, 4, 4]` (A_c[a][b] at 16c + 4a + b) in the requested float type. */
export function hamiltonRules(dtype: 'float32' | 'float64' = 'float64'): Float32Array | Float64Array {
  const out = dtype === 'float32' ? new Float32Array(64) : new Float64Array(64);
  SIGNS.forEach((m, c) => m.forEach((row, a) => row.forEach((s, b) => (out[16 * c + 4 * a + b] = s))));
  return out;
}
