/**
 * How quaternion self-attention maps onto the library's real `attention` calls.
 *
 * Per head, Q, K, V have d_h quaternion units per component. Writing K̂ = [K_r | K_i | K_j | K_k]
 * (width 4·d_h), every component of a quaternion score is an ordinary dot product of K̂ with a signed
 * permutation of Q's components ("a shared score computed with rotated query weights"):
 *
 *   Re(Q ⊗ K*) = [ Q_r,  Q_i,  Q_j,  Q_k]·K̂        (shared score)
 *   (Q ⊗ K)_r  = [ Q_r, −Q_i, −Q_j, −Q_k]·K̂
 *   (Q ⊗ K)_i  = [ Q_i,  Q_r, −Q_k,  Q_j]·K̂
 *   (Q ⊗ K)_j  = [ Q_j,  Q_k,  Q_r, −Q_i]·K̂
 *   (Q ⊗ K)_k  = [ Q_k, −Q_j,  Q_i,  Q_r]·K̂
 *
 * (for Q ⊗ K* flip the signs of the i, j, k entries). So each score map runs on the flash kernel as
 * attention(Q̃_c, K̂, ·). Values: the concatenated form takes V_c alone for map c; the Hamilton value
 * product O = A ⊗ V = Σ_c A_c·Ṽ_c uses the signed permutations
 *   Ṽ_r = [V_r, V_i, V_j, V_k],  Ṽ_i = [−V_i, V_r, −V_k, V_j],  Ṽ_j = [−V_j, V_k, V_r, −V_i],
 *   Ṽ_k = [−V_k, −V_j, V_i, V_r].
 */

/** A signed selection of components: slot s of the gathered head reads component `from[s]` times `sign[s]`. */
export interface SignedSelection {
  from: readonly number[];
  sign: readonly number[];
}

export const IDENTITY: SignedSelection = { from: [0, 1, 2, 3], sign: [1, 1, 1, 1] };

/** Rotated queries Q̃_c of the component maps of Q ⊗ K (c = r, i, j, k). */
const ROTATED_QUERIES: readonly SignedSelection[] = [
  { from: [0, 1, 2, 3], sign: [1, -1, -1, -1] },
  { from: [1, 0, 3, 2], sign: [1, 1, -1, 1] },
  { from: [2, 3, 0, 1], sign: [1, 1, 1, -1] },
  { from: [3, 2, 1, 0], sign: [1, -1, 1, 1] },
];

/** Rotated query of component map c; `conjugate` for the maps of Q ⊗ K* (key slots i, j, k negated). */
export function rotatedQuery(c: number, conjugate: boolean): SignedSelection {
  const q = ROTATED_QUERIES[c];
  return conjugate ? { from: q.from, sign: q.sign.map((s, slot) => (slot === 0 ? s : -s)) } : q;
}

/** Signed value permutation Ṽ_c of the Hamilton value product. */
export const HAMILTON_VALUES: readonly SignedSelection[] = [
  { from: [0, 1, 2, 3], sign: [1, 1, 1, 1] },
  { from: [1, 0, 3, 2], sign: [-1, 1, -1, 1] },
  { from: [2, 3, 0, 1], sign: [-1, 1, 1, -1] },
  { from: [3, 2, 1, 0], sign: [-1, -1, 1, 1] },
];

/** The selection of the single component c. */
export const only = (c: number): SignedSelection => ({ from: [c], sign: [1] });
