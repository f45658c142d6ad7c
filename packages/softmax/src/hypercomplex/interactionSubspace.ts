import { fail } from '../tensor/errors.js';
import { createRng, type Rng } from '../tensor/rng.js';
import { rotatedQuery } from './attentionPlan.js';
import { quaternionWeightMatrix } from './quaternionLinear.js';

export interface InteractionSubspaceOptions {
  /** Input quaternion units n (tokens x ∈ R^{4n}); default 2. */
  inputUnits?: number;
  /** Projected quaternion units m (one head); default 2. */
  outputUnits?: number;
  /** Random (W_Q, W_K) draws whose maps span the subspace; default 4n² + 8. */
  draws?: number;
  seed?: number;
}

/** Ranks of sets of bilinear-form matrices (vectorised, (4n)² entries each). */
export interface SubspaceRanks {
  /** The shared maps M = W_Qᵀ W_K of every draw. */
  shared: number;
  /** Shared maps plus the four component maps of Q ⊗ K* of every draw. */
  withConjugateComponents: number;
  /** Shared maps plus the four component maps of Q ⊗ K (unconjugated, Tay et al.) of every draw. */
  withComponents: number;
}

export interface InteractionSubspaceReport {
  /** Dimension of the space of all bilinear forms on R^{4n}: (4n)². */
  ambient: number;
  /** Dimension of the quaternion-structured forms (n×n blocks, each a left multiplication): 4n². */
  quaternionStructured: number;
  /** Random quaternion projections (component pre-mixing). */
  quaternion: SubspaceRanks;
  /** Identity (non-mixing) projections, m = n. */
  identity: SubspaceRanks;
  /** max |M_c − M_shared(rotated query weights ē_c ⊗ W_Q)| over draws and components (should be ~1e-15). */
  rotationError: number;
}

type Matrix = { rows: number; cols: number; data: Float64Array };

const matmulTN = (a: Matrix, b: Matrix): Matrix => {
  // aᵀ·b
  const out = new Float64Array(a.cols * b.cols);
  for (let r = 0; r < a.rows; r++) {
    for (let i = 0; i < a.cols; i++) {
      const x = a.data[r * a.cols + i];
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += x * b.data[r * b.cols + j];
    }
  }
  return { rows: a.cols, cols: b.cols, data: out };
};

/** The signed component permutation P_c `[4m, 4m]` with score_c = qᵀ P_c k (component c of q ⊗ k or q ⊗ k*). */
function componentMatrix(c: number, m: number, conjugate: boolean): Matrix {
  const sel = rotatedQuery(c, conjugate);
  const data = new Float64Array(16 * m * m);
  for (let slot = 0; slot < 4; slot++) {
    for (let t = 0; t < m; t++) data[(sel.from[slot] * m + t) * 4 * m + slot * m + t] = sel.sign[slot];
  }
  return { rows: 4 * m, cols: 4 * m, data };
}

function randomQuaternionWeights(rng: Rng, m: number, n: number): Float64Array {
  return Float64Array.from({ length: 4 * m * n }, () => rng.normal());
}

const realMatrix = (w: Float64Array, m: number, n: number): Matrix => ({ rows: 4 * m, cols: 4 * n, data: Float64Array.from(quaternionWeightMatrix({ data: w, dims: [4, m, n] }).data) });

/** Numerical rank of row vectors (Gaussian elimination with full pivoting, tolerance 1e-9·max|entry|). */
export function numericalRank(rows: readonly Float64Array[]): number {
  if (rows.length === 0) return 0;
  const a = rows.map((r) => Float64Array.from(r));
  const cols = a[0].length;
  let largest = 0;
  for (const r of a) for (const x of r) largest = Math.max(largest, Math.abs(x));
  const tol = 1e-9 * Math.max(largest, 1e-300);
  let rank = 0;
  const usedCols = new Uint8Array(cols);
  for (let step = 0; step < Math.min(a.length, cols); step++) {
    let best = -1;
    let bestCol = -1;
    let bestVal = tol;
    for (let r = rank; r < a.length; r++) {
      for (let c = 0; c < cols; c++) {
        if (!usedCols[c] && Math.abs(a[r][c]) > bestVal) {
          bestVal = Math.abs(a[r][c]);
          best = r;
          bestCol = c;
        }
      }
    }
    if (best < 0) break;
    [a[rank], a[best]] = [a[best], a[rank]];
    usedCols[bestCol] = 1;
    const pivot = a[rank];
    for (let r = rank + 1; r < a.length; r++) {
      const f = a[r][bestCol] / pivot[bestCol];
      if (f !== 0) for (let c = 0; c < cols; c++) a[r][c] -= f * pivot[c];
    }
    rank++;
  }
  return rank;
}

function ranksOf(pairs: ReadonlyArray<{ wq: Matrix; wk: Matrix }>, m: number): SubspaceRanks {
  const shared: Float64Array[] = [];
  const conj: Float64Array[] = [];
  const plain: Float64Array[] = [];
  for (const { wq, wk } of pairs) {
    shared.push(matmulTN(wq, wk).data);
    for (let c = 0; c < 4; c++) {
      conj.push(matmulTN(wq, multiply(componentMatrix(c, m, true), wk)).data);
      plain.push(matmulTN(wq, multiply(componentMatrix(c, m, false), wk)).data);
    }
  }
  return { shared: numericalRank(shared), withConjugateComponents: numericalRank([...shared, ...conj]), withComponents: numericalRank([...shared, ...plain]) };
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const x = a.data[i * a.cols + k];
      if (x !== 0) for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += x * b.data[k * b.cols + j];
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

/** ē_c ⊗ w for every quaternion weight (blocks `[4, m, n]`): the rotated query weights of component map c. */
function rotateWeights(w: Float64Array, c: number, m: number, n: number): Float64Array {
  const size = m * n;
  const out = new Float64Array(4 * size);
  const e = [0, 0, 0, 0];
  e[c] = 1;
  const [pr, pi, pj, pk] = [e[0], -e[1], -e[2], -e[3]]; // ē_c
  for (let x = 0; x < size; x++) {
    const [qr, qi, qj, qk] = [w[x], w[size + x], w[2 * size + x], w[3 * size + x]];
    out[x] = pr * qr - pi * qi - pj * qj - pk * qk;
    out[size + x] = pr * qi + pi * qr + pj * qk - pk * qj;
    out[2 * size + x] = pr * qj - pi * qk + pj * qr + pk * qi;
    out[3 * size + x] = pr * qk + pi * qj - pj * qi + pk * qr;
  }
  return out;
}

/**
 * The interaction-subspace check of Yamauchi, Nitta & Tamori (ICML 2026, §4). For tokens x ∈ R^{4n} and
 * one head of m quaternion units, every score is a bilinear form x_aᵀ M x_b: the shared score has
 * M = W_Qᵀ W_K, the component c of Q ⊗ K* has M_c = W_Qᵀ P_c W_K (P_c the signed component
 * permutation, = left multiplication by e_c per unit), and of Q ⊗ K, M_c = W_Qᵀ P'_c W_K.
 *
 * With quaternion projections (W = blocks of left multiplications L(w), which pre-mix the four input
 * components), L(w̄)·L(e_c)·L(w') = L(w̄ e_c w'), so every conjugate component map lies in the span of
 * shared maps — and equals the shared map of rotated query weights ē_c ⊗ W_Q (`rotationError`). The
 * span of shared maps over random draws is the 4n²-dimensional space of quaternion-structured forms, and
 * adding the component maps of Q ⊗ K* adds no rank. With identity (non-mixing) projections the shared
 * map is the identity form (rank 1) and the component maps add three new directions (rank 4). For the
 * unconjugated Q ⊗ K the strict span statement fails (P'_c involves the conjugation matrix, which is not
 * a left multiplication): those maps add rank even with quaternion projections — reported as
 * `withComponents`.
 *
 * Everything in float64; ranks by `numericalRank`. O(draws·(4n)²·(4m)) time.
 */
export function interactionSubspaceRanks(options: InteractionSubspaceOptions = {}): InteractionSubspaceReport {
  const n = options.inputUnits ?? 2;
  const m = options.outputUnits ?? 2;
  for (const [v, name] of [[n, 'inputUnits'], [m, 'outputUnits']] as const) if (!Number.isInteger(v) || v < 1) fail('E_PARAM', name, 'an integer ≥ 1', v);
  const draws = options.draws ?? 4 * n * n + 8;
  if (!Number.isInteger(draws) || draws < 1) fail('E_PARAM', 'draws', 'an integer ≥ 1', draws);
  const rng = createRng(options.seed ?? 0);
  const pairs: Array<{ wq: Matrix; wk: Matrix }> = [];
  let rotationError = 0;
  for (let d = 0; d < draws; d++) {
    const qw = randomQuaternionWeights(rng, m, n);
    const kw = randomQuaternionWeights(rng, m, n);
    const wq = realMatrix(qw, m, n);
    const wk = realMatrix(kw, m, n);
    pairs.push({ wq, wk });
    for (let c = 0; c < 4; c++) {
      const component = matmulTN(wq, multiply(componentMatrix(c, m, true), wk));
      const rotated = matmulTN(realMatrix(rotateWeights(qw, c, m, n), m, n), wk);
      for (let i = 0; i < component.data.length; i++) rotationError = Math.max(rotationError, Math.abs(component.data[i] - rotated.data[i]));
    }
  }
  const eye: Matrix = { rows: 4 * n, cols: 4 * n, data: new Float64Array(16 * n * n) };
  for (let i = 0; i < 4 * n; i++) eye.data[i * 4 * n + i] = 1;
  return {
    ambient: 16 * n * n,
    quaternionStructured: 4 * n * n,
    quaternion: ranksOf(pairs, m),
    identity: ranksOf([{ wq: eye, wk: eye }], n),
    rotationError,
  };
}
