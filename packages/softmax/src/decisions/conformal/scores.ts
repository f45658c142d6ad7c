import { fail } from '../../tensor/errors.js';
import { oneOf, optionsObject } from '../../tensor/options.js';
import { checkRng, type RngLike } from '../../tensor/rng.js';
import type { FloatArray } from '../../tensor/types.js';

/** Nonconformity scores (higher = less conforming). */
export type ConformalScore = 'lac' | 'aps' | 'raps';

export const CONFORMAL_SCORES: readonly ConformalScore[] = ['lac', 'aps', 'raps'];

/** Default RAPS penalty λ (Angelopoulos, Bates, Malik & Jordan, ICLR 2021). */
export const RAPS_DEFAULT_LAMBDA = 0.01;
/** Default RAPS k_reg (Angelopoulos, Bates, Malik & Jordan, ICLR 2021). */
export const RAPS_DEFAULT_KREG = 5;

/** Probabilities, one row per example: `{ data, dims: [n, classes] }`. */
export interface ProbsLike {
  data: FloatArray;
  dims: readonly number[];
}

/** Class labels: one integer in [0, classes) per row. */
export type ClassLabels = ArrayLike<number>;

export interface ConformalScoreOptions {
  /** `'lac'` (1 − p_y), `'aps'` or `'raps'`. Required. */
  score: ConformalScore;
  /** APS/RAPS only: replace the p_y term by U·p_y, U ~ Uniform[0, 1) from `rng` (one U per row). */
  randomized?: boolean;
  /** The generator for `randomized` (required then), e.g. `createRng(seed)`. */
  rng?: RngLike;
  /** RAPS penalty λ ≥ 0. Default 0.01. */
  lambda?: number;
  /** RAPS k_reg, an integer ≥ 0. Default 5. */
  kReg?: number;
  /** With labels: return the score of the true label of each row (length n) instead of the n × classes matrix. */
  labels?: ClassLabels;
}

/** Resolved score settings (validated). */
export interface ScoreSpec {
  score: ConformalScore;
  randomized: boolean;
  lambda: number;
  kReg: number;
}

/** A validated probability matrix. */
export interface ProbRows {
  data: FloatArray;
  rows: number;
  classes: number;
}

/** Tolerance on |Σ_j p_j − 1| for a row to count as a probability vector. */
export const PROB_SUM_TOLERANCE = 1e-3;

/**
 * Validates `{ data, dims: [n, classes] }`: float32/64 data of length n·classes, every entry finite and
 * ≥ 0, every row summing to 1 within 1e-3. Throws E_INPUT/E_DTYPE/E_SHAPE/E_PARAM naming `name`.
 */
export function parseProbs(probs: unknown, name: string): ProbRows {
  const pr = parseProbsShape(probs, name);
  const { data, rows, classes } = pr;
  for (let r = 0; r < rows; r++) {
    // Fast check: four partial sums and a sign test. NaN and +∞ make the sum fail its test, so only a row
    // that fails is re-read entry by entry to name the offending entry.
    const o = r * classes;
    const end = o + classes;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let negative = false;
    let j = o;
    for (; j + 3 < end; j += 4) {
      const a = data[j];
      const b = data[j + 1];
      const c = data[j + 2];
      const d = data[j + 3];
      s0 += a;
      s1 += b;
      s2 += c;
      s3 += d;
      if (a < 0 || b < 0 || c < 0 || d < 0) negative = true;
    }
    for (; j < end; j++) {
      s0 += data[j];
      if (data[j] < 0) negative = true;
    }
    if (negative || !probSumsOk(s0, s1, s2, s3)) checkProbRow(data, r, classes, name);
  }
  return pr;
}

/**
 * The fast row test of `parseProbs`: partial sums s0..s3 over the entries j ≡ 0..3 (mod 4) of the row,
 * in order (a tail of fewer than 4 entries going to s0), pass when |s0 + s1 + (s2 + s3) − 1| ≤ 1e-3.
 * A row with a negative entry or failing this test goes to `checkProbRow`: code that fuses the check
 * into another pass over the row, with the same partial sums, makes exactly the decisions of `parseProbs`.
 */
export function probSumsOk(s0: number, s1: number, s2: number, s3: number): boolean {
  return Math.abs(s0 + s1 + (s2 + s3) - 1) <= PROB_SUM_TOLERANCE;
}

/**
 * The slow row check of `parseProbs` (for a row that failed the fast test): throws E_PARAM naming the
 * first entry that is not a finite number ≥ 0, or the row when its sum (in index order) is not 1 within
 * 1e-3; returns when the row is valid after all (the two summation orders disagree on a borderline sum).
 */
export function checkProbRow(data: FloatArray, r: number, classes: number, name: string): void {
  const o = r * classes;
  let sum = 0;
  for (let i = o; i < o + classes; i++) {
    const v = data[i];
    if (!(v >= 0) || v === Infinity) {
      fail('E_PARAM', `${name}[${r}, ${i - o}]`, 'a probability in [0, 1] (apply softmax to logits first)', v);
    }
    sum += v;
  }
  if (Math.abs(sum - 1) <= PROB_SUM_TOLERANCE) return;
  fail('E_PARAM', `${name}[${r}]`, `a row summing to 1 within ${PROB_SUM_TOLERANCE} (these look like logits or unnormalised scores: apply softmax first)`, sum);
}

/**
 * The structural part of `parseProbs` (types and shape, not the entries): a caller that skips the row
 * checks here must make them itself, row by row, with `probSumsOk` and `checkProbRow`.
 */
export function parseProbsShape(probs: unknown, name: string): ProbRows {
  if (probs === null || typeof probs !== 'object') fail('E_INPUT', name, 'probabilities { data, dims: [n, classes] }', probs);
  const { data, dims } = probs as { data?: unknown; dims?: unknown };
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) fail('E_DTYPE', `${name}.data`, 'a Float32Array or Float64Array', data);
  if (!Array.isArray(dims) || dims.length !== 2 || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    fail('E_SHAPE', `${name}.dims`, '[n, classes] (two non-negative integers)', dims);
  }
  const [rows, classes] = dims as number[];
  if (classes < 1) fail('E_SHAPE', `${name}.dims`, 'at least one class', dims);
  if (data.length !== rows * classes) fail('E_SHAPE', `${name}.dims`, `dims whose product is data.length (${data.length})`, dims);
  return { data, rows, classes };
}

/** Validates labels: length `rows`, integers in [0, classes). */
export function parseLabels(labels: unknown, rows: number, classes: number, name: string): Int32Array {
  if (labels === null || typeof labels !== 'object' || typeof (labels as { length?: unknown }).length !== 'number') {
    fail('E_INPUT', name, 'an array of integer class labels', labels);
  }
  const list = labels as ArrayLike<unknown>;
  if (list.length !== rows) fail('E_SHAPE', name, `${rows} labels (one per row of the probabilities)`, list.length);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const y = list[r];
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= classes) fail('E_PARAM', `${name}[${r}]`, `an integer in [0, ${classes})`, y);
    out[r] = y;
  }
  return out;
}

/** Validates score, randomized, lambda, kReg from an options object. */
export function parseScoreSpec(o: { score?: unknown; randomized?: unknown; lambda?: unknown; kReg?: unknown }): ScoreSpec {
  if (o.score === undefined) fail('E_PARAM', 'score', `one of ${CONFORMAL_SCORES.map((s) => `'${s}'`).join(', ')}`, o.score);
  const score = oneOf(o.score, 'score', CONFORMAL_SCORES, 'lac');
  if (o.randomized !== undefined && typeof o.randomized !== 'boolean') fail('E_PARAM', 'randomized', 'a boolean', o.randomized);
  const randomized = o.randomized === true;
  if (randomized && score === 'lac') fail('E_PARAM', 'randomized', "false for score 'lac' (only APS/RAPS have a randomized form)", true);
  const lambda = o.lambda ?? RAPS_DEFAULT_LAMBDA;
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) fail('E_PARAM', 'lambda', 'a finite number ≥ 0', lambda);
  const kReg = o.kReg ?? RAPS_DEFAULT_KREG;
  if (typeof kReg !== 'number' || !Number.isInteger(kReg) || kReg < 0) fail('E_PARAM', 'kReg', 'an integer ≥ 0', kReg);
  return { score, randomized, lambda, kReg };
}

/** Index bits of a packed sort key (class counts up to 2^21 take the packed path). */
const INDEX_BITS = 2 ** 21;

/**
 * Sorts class indices of one row by descending probability, ties by lower index (a stable,
 * deterministic order). `order` and `keys` are scratch of length `classes`.
 * Fast path: when every probability of the row is a float32 value (float32 inputs, or softmax of them)
 * and there are < 2^21 classes, the order is one native numeric sort of keys
 * (2^31 − 1 − float32 bits of p)·2^21 + index, exact in float64 (< 2^52) and ordered exactly as the
 * comparator below, without calling a JavaScript comparator per comparison. Otherwise the comparator sort.
 */
/**
 * Writes the packed sort keys (2^31 − 1 − float32 bits of p)·2^21 + index of one row into `keys`;
 * false when the row cannot be packed (a probability that is not a float32 value, or ≥ 2^21 classes).
 */
function packKeys(p: FloatArray, o: number, classes: number, keys: Float64Array, bits: Uint32Array, f32: Float32Array): boolean {
  if (classes >= INDEX_BITS) return false;
  for (let j = 0; j < classes; j++) {
    const v = p[o + j];
    f32[0] = v;
    if (f32[0] !== v || !(v >= 0)) return false;
    // Sign bit dropped: −0 (the only signed value passing v ≥ 0) ranks as +0, tied by index.
    keys[j] = (0x7fffffff - (bits[0] & 0x7fffffff)) * INDEX_BITS + j;
  }
  return true;
}

function rankRow(p: FloatArray, o: number, classes: number, order: Int32Array, keys: Float64Array, bits: Uint32Array, f32: Float32Array): void {
  const packed = packKeys(p, o, classes, keys, bits, f32);
  if (packed) {
    keys.sort();
    for (let k = 0; k < classes; k++) order[k] = keys[k] % INDEX_BITS;
    return;
  }
  const list = Array.from({ length: classes }, (_, j) => j);
  list.sort((a, b) => p[o + b] - p[o + a] || a - b);
  for (let k = 0; k < classes; k++) order[k] = list[k];
}

/**
 * The APS/RAPS quantities of one class without sorting: the probability mass ranked above class y
 * (probabilities greater than p_y, or equal with a lower index) and its 0-based rank. O(classes).
 */
function massAbove(p: FloatArray, o: number, classes: number, y: number): { mass: number; rank: number } {
  const py = p[o + y];
  let mass = 0;
  let rank = 0;
  for (let j = 0; j < classes; j++) {
    const v = p[o + j];
    if (v > py || (v === py && j < y)) {
      mass += v;
      rank++;
    }
  }
  return { mass, rank };
}

/**
 * Moves the k smallest values of keys[lo, hi) to keys[lo, lo + k) (unordered): iterative quickselect
 * with median-of-three pivots, expected O(hi − lo).
 */
function selectSmallest(keys: Float64Array, lo: number, hi: number, k: number): void {
  let left = lo;
  let right = hi - 1;
  const target = lo + k - 1;
  while (left < right) {
    const mid = (left + right) >>> 1;
    const a = keys[left];
    const b = keys[mid];
    const c = keys[right];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = left;
    let j = right;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        const t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) right = j;
    else if (target >= i) left = i;
    else return;
  }
}

/** Scratch for `scanRankedPrefix`, reused across rows. */
export interface RankScratch {
  keys: Float64Array;
  order: Int32Array;
  f32: Float32Array;
  bits: Uint32Array;
}

export function rankScratch(classes: number): RankScratch {
  const f32 = new Float32Array(1);
  return { keys: new Float64Array(classes), order: new Int32Array(classes), f32, bits: new Uint32Array(f32.buffer) };
}

/**
 * Visits the classes of one row in rank order (descending probability, ties by lower index) with their
 * APS/RAPS scores, stopping once the mass ranked above the next class exceeds `limit`: no later class
 * can have a score ≤ limit (scores are at least the mass above them). With `limit` the largest
 * threshold this yields every class a set can contain while ranking only a prefix: the top 64 keys
 * are selected (quickselect) and sorted, then the next 4× as many, and so on.
 */
export function scanRankedPrefix(
  p: FloatArray, o: number, classes: number, spec: ScoreSpec, u: number, limit: number, scratch: RankScratch,
  visit: (c: number, score: number) => void,
): void {
  const { keys, f32, bits } = scratch;
  const raps = spec.score === 'raps';
  const packed = packKeys(p, o, classes, keys, bits, f32);
  let cum = 0;
  let k = 0;
  const step = (c: number): boolean => {
    if (cum > limit) return false;
    const pc = p[o + c];
    let sc = cum + u * pc;
    if (raps) sc += spec.lambda * Math.max(0, k + 1 - spec.kReg);
    visit(c, sc);
    cum += pc;
    k++;
    return true;
  };
  if (!packed) {
    const { order } = scratch;
    rankRow(p, o, classes, order, keys, bits, f32);
    for (let r = 0; r < classes; r++) if (!step(order[r])) return;
    return;
  }
  let done = 0;
  let size = Math.min(64, classes);
  while (done < classes) {
    const end = Math.min(classes, done + size);
    if (end < classes) selectSmallest(keys, done, classes, end - done);
    keys.subarray(done, end).sort();
    for (let r = done; r < end; r++) if (!step(keys[r] % INDEX_BITS)) return;
    done = end;
    size *= 4;
  }
}

/**
 * Core scoring, shared by calibration and prediction so both use bit-identical arithmetic.
 * `labels` given: one score per row; otherwise the row-major n × classes matrix.
 */
export function computeScores(pr: ProbRows, spec: ScoreSpec, labels: Int32Array | undefined, rng: RngLike | undefined): Float64Array {
  const { data: p, rows, classes } = pr;
  const out = new Float64Array(labels ? rows : rows * classes);
  if (spec.score === 'lac') {
    for (let r = 0; r < rows; r++) {
      const o = r * classes;
      if (labels) out[r] = 1 - p[o + labels[r]];
      else for (let j = 0; j < classes; j++) out[o + j] = 1 - p[o + j];
    }
    return out;
  }
  const raps = spec.score === 'raps';
  if (labels) {
    // Calibration needs only the true label's score: O(classes) per row, no sort. The mass is summed
    // in index order rather than rank order, so it can differ from the sorted sum in the last bits.
    for (let r = 0; r < rows; r++) {
      const o = r * classes;
      const u = spec.randomized ? (rng as RngLike).next() : 1;
      const { mass, rank } = massAbove(p, o, classes, labels[r]);
      let sc = mass + u * p[o + labels[r]];
      if (raps) sc += spec.lambda * Math.max(0, rank + 1 - spec.kReg);
      out[r] = sc;
    }
    return out;
  }
  const order = new Int32Array(classes);
  const keys = new Float64Array(classes);
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const u = spec.randomized ? (rng as RngLike).next() : 1;
    rankRow(p, o, classes, order, keys, bits, f32);
    let cum = 0;
    for (let k = 0; k < classes; k++) {
      const c = order[k];
      const pc = p[o + c];
      let sc = cum + u * pc;
      if (raps) sc += spec.lambda * Math.max(0, k + 1 - spec.kReg);
      cum += pc;
      out[o + c] = sc;
    }
  }
  return out;
}

/**
 * Conformal nonconformity scores of softmax probabilities (higher = less conforming).
 *
 * With π the classes of a row sorted by descending probability (ties: lower class index first),
 * o(y) the 1-based rank of y and U ~ Uniform[0, 1):
 * - LAC ("softmax", Sadinle, Lei & Wasserman 2019): s(x, y) = 1 − p_y.
 * - APS (Romano, Sesia & Candès, NeurIPS 2020): s(x, y) = Σ_{k < o(y)} p_{π_k} + p_y, or
 *   Σ_{k < o(y)} p_{π_k} + U·p_y when `randomized`.
 * - RAPS (Angelopoulos, Bates, Malik & Jordan, "Uncertainty sets for image classifiers using conformal
 *   prediction", ICLR 2021): the APS score + λ·max(0, o(y) − k_reg), defaults λ = 0.01, k_reg = 5
 *   (deterministic, or randomized as APS).
 *
 * - `probs`: `{ data, dims: [n, classes] }`, float32 or float64; every row must be a probability vector
 *   (entries ≥ 0, sum 1 within 1e-3), else E_PARAM (apply softmax to logits first).
 * - `labels` given: returns one score per row, for its true label (Float64Array of length n). Otherwise
 *   the row-major n × classes score matrix (Float64Array).
 * - Randomized: one U per row (shared by all classes of the row, so sets stay nested), drawn from the
 *   required `rng` in row order; the same generator state gives the same scores.
 * - Computed in float64. Cost O(n·C) for LAC, O(n·C log C) for APS/RAPS (one sort per row).
 */
export function conformalScores(probs: ProbsLike, opts: ConformalScoreOptions): Float64Array {
  const o = optionsObject(opts);
  const spec = parseScoreSpec(o);
  const pr = parseProbs(probs, 'probs');
  const labels = o.labels === undefined ? undefined : parseLabels(o.labels, pr.rows, pr.classes, 'labels');
  const rng = spec.randomized ? checkRng(o.rng) : undefined;
  return computeScores(pr, spec, labels, rng);
}
