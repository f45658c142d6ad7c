import type { RngLike } from '../../tensor/rng.js';
import type { FloatArray } from '../../tensor/types.js';
import type { ExactCoverageThresholds } from './apsSets.js';
import { checkProbRow, parseProbs, probSumsOk, type ProbRows } from './scores.js';
import { copySet } from './setLists.js';

/**
 * LAC prediction sets C(x) = {y : 1 − p_y ≤ q̂_y} (Sadinle, Lei & Wasserman 2019) compared in the input's
 * own precision.
 *
 * The score 1 − p is computed in float64 (as `conformalScores` does); rounding is monotone, so
 * fl(1 − p) ≤ q̂ holds exactly for the inputs p ≥ p*, with p* the smallest value of the input type
 * (float32 or float64) for which it holds. `lacCut` finds p* once per threshold by bisection over the
 * ordered bit patterns of the non-negative values; each entry is then one comparison p ≥ p*, with no
 * subtraction per entry and exactly the same sets.
 */

/** Bit patterns of +∞: the non-negative values of a type are ordered as their bit patterns up to it. */
const F64_INF_BITS = 0x7ff0000000000000n;
const F32_INF_BITS = 0x7f800000;

/**
 * The smallest non-negative value x of the data type of `like` (or +∞) with fl64(1 − x) ≤ q: every
 * non-negative x (and −0) of that type satisfies fl64(1 − x) ≤ q ⟺ x ≥ lacCut(q). q = +∞ gives 0;
 * q = NaN gives +∞ (no value qualifies). O(32) or O(64).
 */
export function lacCut(q: number, like: FloatArray): number {
  if (like instanceof Float32Array) {
    const f = new Float32Array(1);
    const bits = new Uint32Array(f.buffer);
    const ok = (b: number): boolean => {
      bits[0] = b;
      return 1 - f[0] <= q;
    };
    // Invariant: ok(hi) or hi is +∞ (1 − ∞ = −∞ ≤ q for every q but NaN); !ok(lo − 1).
    let lo = 0;
    let hi = F32_INF_BITS;
    if (!ok(hi)) return Infinity;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (ok(mid)) hi = mid;
      else lo = mid + 1;
    }
    bits[0] = lo;
    return f[0];
  }
  const f = new Float64Array(1);
  const bits = new BigUint64Array(f.buffer);
  const ok = (b: bigint): boolean => {
    bits[0] = b;
    return 1 - f[0] <= q;
  };
  let lo = 0n;
  let hi = F64_INF_BITS;
  if (!ok(hi)) return Infinity;
  while (lo < hi) {
    const mid = lo + (hi - lo) / 2n;
    if (ok(mid)) hi = mid;
    else lo = mid + 1n;
  }
  bits[0] = lo;
  return f[0];
}

/** `lacCut` of every threshold for inputs of the type of `like` (values of that type, held as float64). */
export function lacCuts(thresholds: Float64Array, like: FloatArray): Float64Array {
  const out = new Float64Array(thresholds.length);
  for (let c = 0; c < thresholds.length; c++) out[c] = lacCut(thresholds[c], like);
  return out;
}

/**
 * Scratch shared by every call, allocated on first use and kept (capacity `cap` > classes): the row's
 * cuts and members. V8 addresses the arrays of this module-constant holder directly (each field is
 * written once) instead of checking each typed array's map and reloading its storage on every access; a
 * call with more classes than any before replaces them (still correct, only slower from then on).
 */
interface LacScratch {
  cap: number;
  cut: Float64Array;
  members: Int32Array;
}

const SCRATCH = {} as LacScratch;
/** The smallest capacity allocated, so that most programs allocate once. */
const MIN_CAP = 4096;

function lacScratch(classes: number): LacScratch {
  if (!(SCRATCH.cap > classes)) {
    // One spare slot: the compaction stores one entry past the last member.
    const cap = Math.max(MIN_CAP, classes + 1);
    SCRATCH.cap = cap;
    SCRATCH.cut = new Float64Array(cap);
    SCRATCH.members = new Int32Array(cap);
  }
  return SCRATCH;
}

/** Writes the classes c with p[off + c] ≥ cut[c] (scratch) to the scratch members (ascending; branch-free, 4 a step) and returns their count. */
function lacRow(p: FloatArray, off: number, classes: number): number {
  const { cut, members } = SCRATCH;
  let n = 0;
  let c = 0;
  for (; c + 3 < classes; c += 4) {
    const in0 = +(p[off + c] >= cut[c]);
    const in1 = +(p[off + c + 1] >= cut[c + 1]);
    const in2 = +(p[off + c + 2] >= cut[c + 2]);
    const in3 = +(p[off + c + 3] >= cut[c + 3]);
    members[n] = c;
    n += in0;
    members[n] = c + 1;
    n += in1;
    members[n] = c + 2;
    n += in2;
    members[n] = c + 3;
    n += in3;
  }
  for (; c < classes; c++) {
    members[n] = c;
    n += +(p[off + c] >= cut[c]);
  }
  return n;
}

/**
 * `lacRow` that also makes `parseProbs`' fast check of row r (the same partial sums and sign test, so the
 * same decisions) and its slow check when that fails: the row is read once for both.
 * Kept apart from `lacRow` rather than behind a flag: the unchecked loop serves calls whose rows were
 * validated up front (randomised and exact-coverage predictors) and stays free of the checks.
 */
function lacRowChecked(p: FloatArray, off: number, classes: number, r: number, name: string): number {
  const { cut, members } = SCRATCH;
  let n = 0;
  let c = 0;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let negative = false;
  for (; c + 3 < classes; c += 4) {
    const a = p[off + c];
    const b = p[off + c + 1];
    const d = p[off + c + 2];
    const e = p[off + c + 3];
    s0 += a;
    s1 += b;
    s2 += d;
    s3 += e;
    if (a < 0 || b < 0 || d < 0 || e < 0) negative = true;
    const in0 = +(a >= cut[c]);
    const in1 = +(b >= cut[c + 1]);
    const in2 = +(d >= cut[c + 2]);
    const in3 = +(e >= cut[c + 3]);
    members[n] = c;
    n += in0;
    members[n] = c + 1;
    n += in1;
    members[n] = c + 2;
    n += in2;
    members[n] = c + 3;
    n += in3;
  }
  for (; c < classes; c++) {
    const a = p[off + c];
    s0 += a;
    if (a < 0) negative = true;
    members[n] = c;
    n += +(a >= cut[c]);
  }
  if (negative || !probSumsOk(s0, s1, s2, s3)) checkProbRow(p, r, classes, name);
  return n;
}

/** The per-class cuts of one input type, for `thresholds` and the exact-coverage lower thresholds, and what they were made from. */
interface LacCuts {
  upper: Float64Array;
  lower: Float64Array;
  from: Float64Array;
}

/**
 * The LAC set marker of a predictor: `mark(pr, rng, matrix, sets)` marks the sets of every row in
 * `matrix` (row-major n × C, zero on entry) and appends each row's set (ascending) to `sets`. With
 * `exact`, draws V = `rng.next()` per row and uses thresholds[c] if V < weights[c], else lower[c] (as
 * the predictors document). The cuts are computed on first use per input type (O(C·64)) and kept while
 * the thresholds stay the same (they are compared on every call); then O(C) per row. `check` (the name
 * of the probabilities in errors): `pr` comes from `parseProbsShape` and each row gets `parseProbs`' row
 * check in the same pass (the same errors, in row order); with exact coverage (an rng to draw from),
 * every row is checked before the first draw instead.
 */
export function lacMarker(
  thresholds: Float64Array, exact?: ExactCoverageThresholds,
): (pr: ProbRows, rng: RngLike | undefined, matrix: Uint8Array, sets: number[][], check?: string) => void {
  let cuts32: LacCuts | undefined;
  let cuts64: LacCuts | undefined;
  // The thresholds the cuts must follow (predictor.thresholds is a mutable Float64Array).
  const current = (): Float64Array => {
    const n = thresholds.length;
    const all = new Float64Array(exact ? 2 * n : n);
    all.set(thresholds);
    if (exact) all.set(exact.lower, n);
    return all;
  };
  const same = (a: Float64Array, b: Float64Array): boolean => {
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  };
  const cutsFor = (p: FloatArray): LacCuts => {
    const from = current();
    const held = p instanceof Float32Array ? cuts32 : cuts64;
    if (held && same(held.from, from)) return held;
    const upper = lacCuts(thresholds, p);
    const made = { upper, lower: exact ? lacCuts(exact.lower, p) : upper, from };
    if (p instanceof Float32Array) cuts32 = made;
    else cuts64 = made;
    return made;
  };
  return (pr, rng, matrix, sets, check) => {
    const { data: p, rows, classes } = pr;
    if (check !== undefined && exact) {
      parseProbs({ data: p, dims: [rows, classes] }, check);
      check = undefined;
    }
    const { upper, lower } = cutsFor(p);
    const scratch = lacScratch(classes);
    const cut = scratch.cut;
    if (!exact) cut.set(upper);
    for (let r = 0; r < rows; r++) {
      const off = r * classes;
      if (exact) {
        const v = (rng as RngLike).next();
        for (let c = 0; c < classes; c++) cut[c] = v < exact.weights[c] ? upper[c] : lower[c];
      }
      const n = check === undefined ? lacRow(p, off, classes) : lacRowChecked(p, off, classes, r, check);
      sets.push(copySet(scratch.members, n, matrix, off));
    }
  };
}
