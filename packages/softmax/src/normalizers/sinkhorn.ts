import { fail } from '../tensor/errors.js';
import { expandMask } from '../tensor/mask.js';
import { integerInRange, optionsObject, positiveFinite } from '../tensor/options.js';
import type { FloatArray, Input, MaskInput, TensorLike } from '../tensor/types.js';
import { resolveOut, toView, type TensorView } from '../tensor/view.js';

export interface SinkhornOptions {
  /** Sweeps of (row normalisation, then column normalisation); an integer ≥ 1. Default 20. */
  iterations?: number;
  /** Divide the scores by this (> 0) first: K = exp(X/τ). Default 1. */
  temperature?: number;
  /** Keep-mask (true/1 = keep), same shape as x or broadcastable; dropped entries act as −∞ (weight 0). */
  mask?: MaskInput;
  /** Write the result here (the input's float type and size). */
  out?: FloatArray | TensorLike;
}

export interface SinkhornVjpOptions extends SinkhornOptions {
  /** The forward input (required: the iterations are replayed from it). */
  x: Input;
}

interface SinkhornCall {
  view: TensorView;
  /** Matrix side n (the last two dims are n × n). */
  n: number;
  /** Number of matrices (product of the batch dims). */
  count: number;
  iterations: number;
  s: number;
  mask: Uint8Array | null;
}

function parseCall(x: Input, opts: SinkhornOptions | undefined, name: string): SinkhornCall {
  const view = toView(x, name);
  const o = optionsObject(opts);
  const dims = view.dims;
  if (view.isRow || dims.length < 2 || dims[dims.length - 1] !== dims[dims.length - 2]) {
    fail('E_SHAPE', name, 'a tensor { data, dims } whose last two dims are equal (square matrices, batch dims allowed)', `[${dims.join(', ')}]`);
  }
  const n = dims[dims.length - 1];
  const count = n === 0 ? 0 : view.data.length / (n * n);
  const iterations = o.iterations === undefined ? 20 : integerInRange(o.iterations, 'iterations', 1, 1_000_000);
  const s = 1 / positiveFinite(o.temperature, 'temperature', 1);
  const mask = o.mask === undefined ? null : expandMask(o.mask, dims);
  return { view, n, count, iterations, s, mask };
}

/** log Σ exp over `len` values at stride `step` from `start` (−∞ when all are −∞). */
function logSumExp(l: Float64Array, start: number, step: number, len: number): number {
  let m = -Infinity;
  for (let k = 0, i = start; k < len; k++, i += step) if (l[i] > m) m = l[i];
  if (m === -Infinity) return -Infinity;
  let sum = 0;
  for (let k = 0, i = start; k < len; k++, i += step) sum += Math.exp(l[i] - m);
  return m + Math.log(sum);
}

/**
 * Log-domain scores L₀ = X/τ of matrix `b` (masked → −∞), or null when the matrix has no doubly
 * stochastic scaling to find: a NaN or +∞ entry, or a row or column with no entry left.
 */
function initialLog(c: SinkhornCall, b: number): Float64Array | null {
  const { n, s, mask } = c;
  const data = c.view.data;
  const off = b * n * n;
  const l = new Float64Array(n * n);
  const rowAlive = new Uint8Array(n);
  const colAlive = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      const v = mask && !mask[off + k] ? -Infinity : s * data[off + k];
      if (Number.isNaN(v) || v === Infinity) return null;
      l[k] = v;
      if (v !== -Infinity) {
        rowAlive[i] = 1;
        colAlive[j] = 1;
      }
    }
  }
  for (let i = 0; i < n; i++) if (!rowAlive[i] || !colAlive[i]) return null;
  return l;
}

/**
 * Runs the iterations on L in place. When `offsets` is given, records the row offsets of sweep t in
 * offsets[(2t)·n …] and the column offsets in offsets[(2t + 1)·n …] (what the backward pass replays).
 */
function iterate(l: Float64Array, n: number, iterations: number, offsets: Float64Array | null): void {
  for (let t = 0; t < iterations; t++) {
    for (let i = 0; i < n; i++) {
      const r = logSumExp(l, i * n, 1, n);
      if (offsets) offsets[2 * t * n + i] = r;
      for (let j = 0; j < n; j++) l[i * n + j] -= r;
    }
    for (let j = 0; j < n; j++) {
      const cc = logSumExp(l, j, n, n);
      if (offsets) offsets[(2 * t + 1) * n + j] = cc;
      for (let i = 0; i < n; i++) l[i * n + j] -= cc;
    }
  }
}

function sinkhornForward<T extends FloatArray>(x: TensorLike<T>, opts?: SinkhornOptions): { data: T; dims: number[] } {
  const c = parseCall(x, opts, 'x');
  const { n, count, iterations, view } = c;
  const out = resolveOut(view.data, view.data.length, optionsObject(opts).out);
  for (let b = 0; b < count; b++) {
    const off = b * n * n;
    const l = initialLog(c, b);
    if (!l) {
      out.fill(NaN, off, off + n * n);
      continue;
    }
    iterate(l, n, iterations, null);
    for (let k = 0; k < n * n; k++) out[off + k] = Math.exp(l[k]);
  }
  return { data: out as T, dims: [...view.dims] };
}

/**
 * Backward by unrolling: replays the forward from `opts.x` recording each half-step's log-sum-exp
 * offsets (O(iterations·n) memory, not O(iterations·n²)), then walks the half-steps in reverse. A row
 * normalisation L′ = L − lse_row(L) has the vjp G = G′ − P ⊙ rowsum(G′) with P = exp(L′) (columns alike);
 * each L′ is rebuilt from L₀ and the cumulative offsets. O(iterations·n²) time per matrix.
 */
function sinkhornVjp<T extends FloatArray>(y: TensorLike<T>, dy: TensorLike, opts: SinkhornVjpOptions): { data: T; dims: number[] } {
  const o = optionsObject(opts);
  if (o.x === undefined) fail('E_PARAM', 'x', 'the forward input as opts.x (sinkhorn.vjp replays the iterations from it)');
  const c = parseCall(o.x, opts, 'x');
  const yView = toView(y, 'y');
  const gView = toView(dy, 'dy');
  for (const [name, v] of [['y', yView], ['dy', gView]] as const) {
    if (v.dims.length !== c.view.dims.length || v.dims.some((d, i) => d !== c.view.dims[i])) {
      fail('E_SHAPE', name, `dims [${c.view.dims.join(', ')}] (the shape of x)`, `[${v.dims.join(', ')}]`);
    }
    if (v.data.constructor !== c.view.data.constructor) fail('E_DTYPE', name, `a ${c.view.data.constructor.name} (the float type of x)`);
  }
  const { n, count, iterations, s, view } = c;
  const nn = n * n;
  const dx = resolveOut(view.data, view.data.length, o.out);
  const offsets = new Float64Array(2 * iterations * n);
  const rowCum = new Float64Array(n);
  const colCum = new Float64Array(n);
  const g = new Float64Array(nn);
  const sums = new Float64Array(n);
  for (let b = 0; b < count; b++) {
    const off = b * nn;
    const l0 = initialLog(c, b);
    if (!l0) {
      dx.fill(NaN, off, off + nn);
      continue;
    }
    const l = l0.slice();
    iterate(l, n, iterations, offsets);
    // Cumulative offsets after the last half-step: L_final = L₀ − rowCum_i − colCum_j.
    rowCum.fill(0);
    colCum.fill(0);
    for (let t = 0; t < iterations; t++) {
      for (let i = 0; i < n; i++) rowCum[i] += offsets[2 * t * n + i];
      for (let j = 0; j < n; j++) colCum[j] += offsets[(2 * t + 1) * n + j];
    }
    // G = dY ⊙ Y at the output (Y = exp(L)); the forward's own final L gives Y exactly.
    for (let k = 0; k < nn; k++) g[k] = gView.data[off + k] * Math.exp(l[k]);
    for (let t = iterations - 1; t >= 0; t--) {
      // Column half-step t: P = exp(L after it) = exp(L₀ − rowCum − colCum) with the current sums.
      sums.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sums[j] += g[i * n + j];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const k = i * n + j;
          const p = Math.exp(l0[k] - rowCum[i] - colCum[j]);
          g[k] -= p * sums[j];
        }
      }
      for (let j = 0; j < n; j++) colCum[j] -= offsets[(2 * t + 1) * n + j];
      // Row half-step t.
      sums.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sums[i] += g[i * n + j];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const k = i * n + j;
          const p = Math.exp(l0[k] - rowCum[i] - colCum[j]);
          g[k] -= p * sums[i];
        }
      }
      for (let i = 0; i < n; i++) rowCum[i] -= offsets[2 * t * n + i];
    }
    // Chain rule through L₀ = X/τ; masked entries (L₀ = −∞) get 0.
    for (let k = 0; k < nn; k++) dx[off + k] = l0[k] === -Infinity ? 0 : s * g[k];
  }
  return { data: dx as T, dims: [...view.dims] };
}

/**
 * Sinkhorn normalisation: the doubly stochastic matrix diag(u)·exp(X/τ)·diag(v) found by alternating row
 * and column normalisation of K = exp(X/τ), for square matrices (the last two dims, n × n; leading batch
 * dims are independent matrices).
 *
 * Sinkhorn & Knopp (1967); used as doubly stochastic attention by Sinkformers (Sander, Ablin, Blondel,
 * Peyré, AISTATS 2022). Each of the `iterations` (default 20) sweeps normalises every row to sum 1, then
 * every column, in log space (L ← L − logSumExp), so no exp overflows at any scale. Columns sum to 1 up
 * to rounding after every sweep; rows converge to 1 (linearly, at a rate set by the matrix: fast for
 * well-scaled positive matrices, slow when scores span many units of τ or the support is sparse), so
 * check `iterations` for your data. One sweep is softmax over rows followed by a column normalisation.
 *
 * - Special values: −∞ (or a dropped `mask` entry) gives weight 0. A matrix with a NaN or +∞ entry, or a
 *   row or column with no entry left, has no doubly stochastic scaling: its output is all NaN. A zero
 *   pattern that allows no doubly stochastic matrix with that support (no "total support") converges
 *   slowly or not at all. n = 1 gives [[1]]; n = 0 gives an empty result.
 * - O(iterations·n²) time per matrix, O(n²) extra memory; float64 inside, output in the input's type.
 *
 * `sinkhorn.vjp(y, dy, { x, iterations, temperature, mask })` differentiates the unrolled iterations
 * exactly (not the fixed point): it replays the forward from x, keeping only the per-half-step offsets.
 *
 * @example sinkhorn({ data: Float64Array.of(0, 1, 2, 3), dims: [2, 2] }) // ≈ [[0.5, 0.5], [0.5, 0.5]] (rank-1 K)
 */
export const sinkhorn = Object.assign(sinkhornForward, { vjp: sinkhornVjp });
