import { softmaxThreePassRow } from '../kernels/reference/threePass.js';
import { fail } from '../tensor/errors.js';
import type { FloatArray } from '../tensor/types.js';
import { defineMapping, type MappingOptions } from './defineMapping.js';
import { nanRow } from './sparsemax.js';

/** Options of `sparseSoftmax`. */
export interface SparseSoftmaxOptions extends MappingOptions {
  /** How many entries to keep per row: an integer ≥ 1 (required); k ≥ n is plain softmax. */
  k?: number;
}

interface SparseSoftmaxParams {
  k: number;
}

/** Validates k: an integer ≥ 1 (required). */
export function sparseSoftmaxK(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail('E_PARAM', 'k', 'an integer ≥ 1 (the number of entries kept per row)', value);
  return value;
}

/** Candidate buffer (values and indices), reused across rows and calls. */
let vals = new Float64Array(0);
let idx = new Int32Array(0);

/**
 * Top-k softmax of one row of z = s·x, read from x[xo, xo + n) and written to y[yo, yo + n) (any float
 * arrays, float64 arithmetic): softmax over the k largest entries (ties: lower index first), 0 elsewhere.
 * `y` may alias `x` (the kept values are buffered before y is written).
 *
 * One pass keeps a buffer of up to 2k candidates above a running threshold (the k-th largest so far);
 * when it fills, a quickselect keeps the top k and raises the threshold. On random rows the threshold
 * rises fast, so most entries cost one comparison: O(n) expected, O(k) memory.
 */
export function sparseSoftmaxRow(x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, s: number, k: number): void {
  if (k >= n) {
    softmaxThreePassRow(x, xo, y, yo, n, s);
    return;
  }
  const cap = 2 * k;
  if (vals.length < cap) {
    vals = new Float64Array(cap);
    idx = new Int32Array(cap);
  }
  const v = vals;
  const ix = idx;
  let thr = -Infinity; // −∞ entries never enter: they would get weight 0 anyway
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    const z = s * x[xo + i];
    // One comparison on the common path: NaN also fails `z <= thr`.
    if (!(z <= thr)) {
      if (z !== z) {
        nanRow(y, yo, n); // NaN in the row, as softmax
        return;
      }
      v[cnt] = z;
      ix[cnt] = i;
      cnt++;
      if (cnt === cap) {
        // Later entries equal to the threshold have higher indices, so they lose the tie: strict >.
        thr = selectTop(v, ix, cnt, k);
        cnt = k;
      }
    }
  }
  if (cnt > k) {
    selectTop(v, ix, cnt, k);
    cnt = k;
  }
  let m = -Infinity;
  for (let j = 0; j < cnt; j++) m = Math.max(m, v[j]);
  if (!(m < Infinity) || m === -Infinity) {
    nanRow(y, yo, n); // +∞, or no entry above −∞ (fully masked), as softmax
    return;
  }
  y.fill(0, yo, yo + n);
  let sum = 0;
  for (let j = 0; j < cnt; j++) {
    const e = Math.exp(v[j] - m);
    v[j] = e;
    sum += e;
  }
  for (let j = 0; j < cnt; j++) y[yo + ix[j]] = v[j] / sum;
}

/**
 * Quickselect (median-of-three pivot) on (value desc, index asc): afterwards positions [0, k) hold the
 * k first-ranked candidates. Returns the value of the k-th ranked.
 */
function selectTop(v: Float64Array, ix: Int32Array, cnt: number, k: number): number {
  const target = k - 1;
  let lo = 0;
  let hi = cnt - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranksBefore(v, ix, mid, lo)) swap(v, ix, mid, lo);
    if (ranksBefore(v, ix, hi, lo)) swap(v, ix, hi, lo);
    if (ranksBefore(v, ix, hi, mid)) swap(v, ix, hi, mid);
    swap(v, ix, mid, hi); // the median is the pivot, at hi
    const pv = v[hi];
    const pi = ix[hi];
    let store = lo;
    for (let i = lo; i < hi; i++) {
      // Branch-free Lomuto step (the test is unpredictable): always swap, advance when i ranks first.
      const a = v[i];
      const ai = ix[i];
      const first = +(a > pv) | (+(a === pv) & +(ai < pi));
      v[i] = v[store];
      ix[i] = ix[store];
      v[store] = a;
      ix[store] = ai;
      store += first;
    }
    swap(v, ix, store, hi);
    if (store === target) break;
    if (store < target) lo = store + 1;
    else hi = store - 1;
  }
  return v[target];
}

function ranksBefore(v: Float64Array, ix: Int32Array, a: number, b: number): boolean {
  return v[a] > v[b] || (v[a] === v[b] && ix[a] < ix[b]);
}

function swap(v: Float64Array, ix: Int32Array, a: number, b: number): void {
  const tv = v[a];
  v[a] = v[b];
  v[b] = tv;
  const ti = ix[a];
  ix[a] = ix[b];
  ix[b] = ti;
}

/**
 * Sparse (top-k) softmax along an axis: softmax over the k largest entries of z = x/τ, exact 0 elsewhere,
 *
 *   y_i = exp(z_i − m) / Σ_{j ∈ K} exp(z_j − m) for i ∈ K (the k largest), y_i = 0 otherwise.
 *
 * (As in "Sparse-softmax" / top-k attention, e.g. Zhao et al. 2019, Explicit Sparse Transformer.)
 *
 * - Options: `k` (required integer ≥ 1; k ≥ n gives exactly `softmax`, through the same kernel) plus the
 *   common ones (`axis`, `temperature`, `mask`, `out`). Float64 per row; float32 in → float32 out.
 * - Ties: among equal values the lower index is kept (as `softmaxTopK`), so exactly min(k, #finite)
 *   entries are kept.
 * - Complexity: O(n) expected per row (one pass with a running threshold and a 2k-entry candidate buffer
 *   pruned by quickselect), O(k) scratch, no allocation per row.
 * - Special values: −∞ and masked entries are never kept (they would get 0 anyway); a row with fewer
 *   than k finite entries keeps those; a row with no entry above −∞ (fully masked) gives NaN, as softmax;
 *   +∞ or NaN anywhere in a row gives NaN for the row. A length-1 row gives [1].
 *
 * `sparseSoftmax.vjp(y, dy, opts)` (k not needed): the selection is piecewise constant, so the gradient is softmax's
 * restricted to the kept set K: dx_i = y_i(dy_i − Σ_{j∈K} y_j dy_j)/τ for i ∈ K, 0 elsewhere. Since y is 0
 * off K, this is softmax's vjp formula applied to y, so only y is needed: a kept entry whose probability
 * underflowed to 0 gets 0, which is its exact gradient y_i(…) rounded the same way.
 *
 * @example sparseSoftmax([1, 3, 2, 3], { k: 2 }) // Float64Array [0, 0.5, 0, 0.5]
 * @example sparseSoftmax([3, 3, 3], { k: 2 }) // Float64Array [0.5, 0.5, 0]  (ties: lower index kept)
 */
export const sparseSoftmax = defineMapping<SparseSoftmaxOptions, SparseSoftmaxParams>({
  name: 'sparseSoftmax',
  // k is validated when given; the backward pass does not need it, so a missing k fails in the forward pass only.
  params: (opts) => ({ k: opts.k === undefined ? 0 : sparseSoftmaxK(opts.k) }),
  forward(z, y, { n, params }) {
    sparseSoftmaxRow(z, 0, y, 0, n, 1, params.k === 0 ? sparseSoftmaxK(undefined) : params.k);
  },
  forwardRow(x, xo, y, yo, n, s, { params }) {
    sparseSoftmaxRow(x, xo, y, yo, n, s, params.k === 0 ? sparseSoftmaxK(undefined) : params.k);
  },
  vjp(y, dy, dz, _z, { n }) {
    let dot = 0;
    for (let i = 0; i < n; i++) dot += y[i] * dy[i];
    for (let i = 0; i < n; i++) dz[i] = y[i] * (dy[i] - dot);
  },
  needsX: false,
});
