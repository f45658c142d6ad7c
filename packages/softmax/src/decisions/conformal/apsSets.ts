import type { RngLike } from '../../tensor/rng.js';
import type { FloatArray } from '../../tensor/types.js';
import { copySet, mergeSets } from './setLists.js';
import { checkProbRow, parseProbs, probSumsOk, rankScratch, scanRankedPrefix, type ProbRows, type RankScratch, type ScoreSpec } from './scores.js';

/**
 * Fast APS/RAPS prediction sets: C(x) = {y : s(x, y) ≤ q̂_y} without sorting the row.
 *
 * With π the classes sorted by descending probability (ties: lower index first), the APS score of class y
 * is s(x, y) = Σ_{k < o(y)} p_{π_k} + u·p_y (+ λ·max(0, o(y) − k_reg) for RAPS), the mass ranked above y
 * summed in rank order. It grows with the rank, so only a short prefix of the ranking can enter a set:
 * 1. Buckets: every probability falls in a bucket read off its float bits (exponent and 4 mantissa
 *    bits: 16 buckets per octave; everything below 2⁻⁶⁴ in bucket 0), so a higher bucket means a larger
 *    probability.
 * 2. Candidates: the classes with p ≥ a cut (a bucket's floor), collected by one branch-free pass over
 *    the row. The cut starts just below the lowest bucket the previous row needed and is lowered (the
 *    row filtered again) until the candidates' mass M and count N prove every other class out:
 *    M + λ·max(0, N + 1 − k_reg) > max q̂.
 * 3. Bounds: the mass and count of the candidate buckets above a class bound its score from below and,
 *    with the rest of its own bucket, from above; almost every candidate is decided in or out by these
 *    bounds alone, without ranking.
 * 4. A class whose bounds straddle its threshold gets its exact rank and mass within its bucket (a walk
 *    over the bucket's list of candidates) and is decided by that score.
 * Every decision keeps a margin `tol` covering the float64 rounding difference between these sums and
 * the rank-order sum of the definition; a class closer to its threshold than that sends its row to the
 * exact path (`scanRankedPrefix`: rank the prefix, sum in rank order). The sets are therefore exactly
 * those of thresholding `conformalScores` (bit-identical arithmetic on the exact path).
 *
 * Cost per row O(C) for the filter plus O(K) for K candidates and O(b) for each straddling class in a
 * bucket of b classes, against O(C log C) for a full sort. No allocation per row but the set itself.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Buckets per octave of probability: 2^MANTISSA_BITS (16). */
const MANTISSA_BITS = 4;
/** Raw bucket (exponent and top mantissa bits) of 2⁻⁶⁴; everything below shares bucket 0. */
const RAW_OFFSET = (127 - 64) << MANTISSA_BITS;
/** Buckets: raw keys of 2⁻⁶⁴ … 2 (entries are ≤ 1.001), offset by RAW_OFFSET. */
const BUCKETS = (128 << MANTISSA_BITS) - RAW_OFFSET;
/** Shifts from the float32 bits, or the float64 high word, to the raw bucket. */
const SHIFT32 = 23 - MANTISSA_BITS;
const SHIFT64 = 20 - MANTISSA_BITS;
/** Raw float64 buckets count the exponent from 1023, float32 ones from 127. */
const RAW_OFFSET64 = RAW_OFFSET + ((1023 - 127) << MANTISSA_BITS);
/**
 * The next row's first cut: `margin` buckets below the lowest bucket the row needed. A cut set too high
 * costs a second filter of the row and of its candidates, one set too low only a few needless candidates:
 * the margin adapts every MARGIN_PERIOD rows by one bucket, widened when more than MARGIN_REFILTERS of them
 * were filtered again, narrowed when none was.
 */
const MARGIN_START = 4;
const MARGIN_MAX = 64;
const MARGIN_PERIOD = 64;
const MARGIN_REFILTERS = 4;
/** A cut that leaves too little mass is lowered by this many buckets (half an octave)… */
const REFINE_BUCKETS = 8;
/** …at most this many times before the last pass takes every class. */
const REFINE_PASSES = 4;

/**
 * Scratch shared by every call, allocated on first use and kept: per candidate (capacity `cap` > classes)
 * and per bucket. V8 addresses the arrays of this module-constant holder directly (each field is written
 * once) instead of checking each typed array's map and reloading its storage on every access; a call
 * with more classes than any before replaces them (still correct, only slower from then on). Calls never
 * interleave (a row is marked start to end with no callback), and every row leaves `hist` zero and
 * `head` at −1.
 * - cand, ckey, next: the row's candidates, their buckets and the next candidate (position) of the same
 *   bucket; picks: members from 0, straddling positions from `cap`; extra: straddling classes resolved
 *   in; finite: the thresholds of the call (+∞ as −∞, see `finitePart`).
 * - hist: count at 2k, mass at 2k + 1; bounds: score bounds without the class's own term (4k, 4k + 1),
 *   mass and count above (4k + 2, 4k + 3); head: the first candidate of each bucket's list (−1 ends it);
 *   floor: the smallest value of each bucket (0 for bucket 0).
 */
interface ApsScratch {
  cap: number;
  cand: Int32Array;
  ckey: Int32Array;
  picks: Int32Array;
  next: Int32Array;
  extra: Int32Array;
  finite: Float64Array;
  hist: Float64Array;
  bounds: Float64Array;
  head: Int32Array;
  floor: Float64Array;
}

const SCRATCH = {} as ApsScratch;
/** Calls so far, and the one whose thresholds are in SCRATCH.finite (an rng's `next` could call in again). */
let calls = 0;
let finiteOwner = 0;
/** The smallest per-candidate capacity allocated, so that most programs allocate once. */
const MIN_CAP = 4096;

function apsScratch(classes: number): ApsScratch {
  if (SCRATCH.floor === undefined) {
    SCRATCH.hist = new Float64Array(2 * BUCKETS);
    SCRATCH.bounds = new Float64Array(4 * BUCKETS);
    SCRATCH.head = new Int32Array(BUCKETS).fill(-1);
    const floor = new Float64Array(BUCKETS);
    const f = new Float32Array(1);
    const w = new Int32Array(f.buffer);
    for (let k = 1; k < BUCKETS; k++) {
      w[0] = (k + RAW_OFFSET) << SHIFT32;
      floor[k] = f[0];
    }
    SCRATCH.floor = floor;
  }
  if (!(SCRATCH.cap > classes)) {
    // One spare slot: the branch-free compactions store one entry past the last one kept.
    const cap = Math.max(MIN_CAP, classes + 1);
    SCRATCH.cap = cap;
    SCRATCH.cand = new Int32Array(cap);
    SCRATCH.ckey = new Int32Array(cap);
    SCRATCH.picks = new Int32Array(2 * cap);
    SCRATCH.next = new Int32Array(cap);
    SCRATCH.extra = new Int32Array(cap);
    SCRATCH.finite = new Float64Array(cap);
  }
  return SCRATCH;
}

/** The bucket of a value ≥ 0 (or −0). */
function bucketOf(v: number): number {
  const f = new Float32Array([v]);
  const k = ((new Int32Array(f.buffer)[0] & 0x7fffffff) >>> SHIFT32) - RAW_OFFSET;
  // float32 rounding may move v up to the next bucket: the floor of the returned bucket is ≤ v.
  let b = Math.min(BUCKETS - 1, Math.max(0, k));
  while (b > 0 && apsScratch(0).floor[b] > v) b--;
  return b;
}

/**
 * Per-call state of the fast path; one `markRow` per row (small methods keep the optimiser happy). The
 * hot loops take 4 or 8 entries a step: V8 checks a typed array's map on every access, but once per
 * array per step; the scratch arrays (`SCRATCH`) it needs not check at all.
 */
class ApsRowMarker {
  readonly p: FloatArray;
  readonly classes: number;
  /** The current row's always-in classes (q̂ = +∞), ascending: always[0, nAlways). */
  readonly always: Int32Array;
  nAlways: number;
  readonly limit: number;
  readonly lambda: number;
  readonly kReg: number;
  readonly tol: number;
  /** The entries' bits: float32 words, or float64 halves (the high word at 2i + hi). */
  readonly words: Int32Array;
  readonly hi: number;
  readonly f32: boolean;
  /** Validation: the name of the probabilities when each row's first pass also makes `parseProbs`' row check. */
  readonly check: string | undefined;
  /** First cut of the next row (a bucket), its margin; the rows of the margin's period and how many were filtered again. */
  cutKey: number;
  margin = MARGIN_START;
  period = 0;
  refiltered = 0;
  /** Candidates of the current row, their mass and bucket range. */
  n = 0;
  m = 0;
  kMin = 0;
  kMax = 0;
  /** Straddling candidates of the current row. */
  a = 0;

  /**
   * `limit` must bound every finite threshold of every row; the call's thresholds must be in
   * `apsScratch(classes).finite` (+∞ as −∞, see `finitePart`).
   */
  constructor(p: FloatArray, classes: number, spec: ScoreSpec, always: Int32Array, limit: number, check: string | undefined) {
    this.p = p;
    this.classes = classes;
    this.always = always;
    this.nAlways = always.length;
    this.limit = limit;
    this.lambda = spec.score === 'raps' ? spec.lambda : 0;
    this.kReg = spec.kReg;
    // Rounding margin: two float64 sums of ≤ C non-negative terms (total ≤ 1.001) in different orders differ
    // by ≤ 2(C − 1)·2⁻⁵³·1.001; the score's own additions add a few ulps of its magnitude (≈ |q̂| near a decision).
    this.tol = (4 * classes + 64) * 2 ** -52 * (2 + Math.abs(limit));
    this.f32 = p instanceof Float32Array;
    this.words = new Int32Array(p.buffer, p.byteOffset, this.f32 ? p.length : 2 * p.length);
    this.hi = this.f32 || !LITTLE_ENDIAN ? 0 : 1;
    this.check = check;
    this.cutKey = bucketOf(0.5 / classes);
  }

  /** Writes the classes with p ≥ t to `cand` (branch-free compaction, 4 classes a step) and returns their count. */
  filterAbove(off: number, t: number): number {
    const { classes, p } = this;
    const cand = SCRATCH.cand;
    let n = 0;
    let j = 0;
    for (; j + 3 < classes; j += 4) {
      const a = p[off + j];
      const b = p[off + j + 1];
      const c = p[off + j + 2];
      const d = p[off + j + 3];
      cand[n] = j;
      n += +(a >= t);
      cand[n] = j + 1;
      n += +(b >= t);
      cand[n] = j + 2;
      n += +(c >= t);
      cand[n] = j + 3;
      n += +(d >= t);
    }
    for (; j < classes; j++) {
      cand[n] = j;
      n += +(p[off + j] >= t);
    }
    return n;
  }

  /**
   * `filterAbove` that also makes `parseProbs`' fast check of row r (the same partial sums and sign test,
   * so the same decisions) and its slow check when that fails: the row is read once for both.
   */
  filterAboveChecked(off: number, t: number, r: number, name: string): number {
    const { classes, p } = this;
    const cand = SCRATCH.cand;
    let n = 0;
    let j = 0;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let negative = false;
    // Eight entries a step, then four: lane j mod 4 of the sums still takes its entries in order.
    for (; j + 7 < classes; j += 8) {
      const o = off + j;
      const a = p[o];
      const b = p[o + 1];
      const c = p[o + 2];
      const d = p[o + 3];
      const e = p[o + 4];
      const f = p[o + 5];
      const g = p[o + 6];
      const h = p[o + 7];
      s0 += a;
      s1 += b;
      s2 += c;
      s3 += d;
      s0 += e;
      s1 += f;
      s2 += g;
      s3 += h;
      if (a < 0 || b < 0 || c < 0 || d < 0 || e < 0 || f < 0 || g < 0 || h < 0) negative = true;
      cand[n] = j;
      n += +(a >= t);
      cand[n] = j + 1;
      n += +(b >= t);
      cand[n] = j + 2;
      n += +(c >= t);
      cand[n] = j + 3;
      n += +(d >= t);
      cand[n] = j + 4;
      n += +(e >= t);
      cand[n] = j + 5;
      n += +(f >= t);
      cand[n] = j + 6;
      n += +(g >= t);
      cand[n] = j + 7;
      n += +(h >= t);
    }
    for (; j + 3 < classes; j += 4) {
      const a = p[off + j];
      const b = p[off + j + 1];
      const c = p[off + j + 2];
      const d = p[off + j + 3];
      s0 += a;
      s1 += b;
      s2 += c;
      s3 += d;
      if (a < 0 || b < 0 || c < 0 || d < 0) negative = true;
      cand[n] = j;
      n += +(a >= t);
      cand[n] = j + 1;
      n += +(b >= t);
      cand[n] = j + 2;
      n += +(c >= t);
      cand[n] = j + 3;
      n += +(d >= t);
    }
    for (; j < classes; j++) {
      const a = p[off + j];
      s0 += a;
      if (a < 0) negative = true;
      cand[n] = j;
      n += +(a >= t);
    }
    if (negative || !probSumsOk(s0, s1, s2, s3)) checkProbRow(p, r, classes, name);
    return n;
  }

  /** Buckets of the n candidates (float32 data): key, list, count, mass; sets their mass `m` and top bucket `kMax`. */
  bucket32(off: number, n: number): void {
    const { p, words } = this;
    const { cand, ckey, next, head, hist } = SCRATCH;
    let m = 0;
    let kMax = -1;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const j0 = off + cand[i];
      const j1 = off + cand[i + 1];
      const j2 = off + cand[i + 2];
      const j3 = off + cand[i + 3];
      // Sign dropped (−0 goes with +0); below 2⁻⁶⁴ clamped to bucket 0.
      const k0 = Math.max(0, ((words[j0] & 0x7fffffff) >>> SHIFT32) - RAW_OFFSET);
      const k1 = Math.max(0, ((words[j1] & 0x7fffffff) >>> SHIFT32) - RAW_OFFSET);
      const k2 = Math.max(0, ((words[j2] & 0x7fffffff) >>> SHIFT32) - RAW_OFFSET);
      const k3 = Math.max(0, ((words[j3] & 0x7fffffff) >>> SHIFT32) - RAW_OFFSET);
      const v0 = p[j0];
      const v1 = p[j1];
      const v2 = p[j2];
      const v3 = p[j3];
      ckey[i] = k0;
      ckey[i + 1] = k1;
      ckey[i + 2] = k2;
      ckey[i + 3] = k3;
      next[i] = head[k0];
      head[k0] = i;
      next[i + 1] = head[k1];
      head[k1] = i + 1;
      next[i + 2] = head[k2];
      head[k2] = i + 2;
      next[i + 3] = head[k3];
      head[k3] = i + 3;
      hist[2 * k0]++;
      hist[2 * k0 + 1] += v0;
      hist[2 * k1]++;
      hist[2 * k1 + 1] += v1;
      hist[2 * k2]++;
      hist[2 * k2 + 1] += v2;
      hist[2 * k3]++;
      hist[2 * k3 + 1] += v3;
      m += v0 + v1 + (v2 + v3);
      kMax = Math.max(kMax, k0, k1, k2, k3);
    }
    for (; i < n; i++) {
      const j = off + cand[i];
      const k = Math.max(0, ((words[j] & 0x7fffffff) >>> SHIFT32) - RAW_OFFSET);
      const v = p[j];
      ckey[i] = k;
      next[i] = head[k];
      head[k] = i;
      hist[2 * k]++;
      hist[2 * k + 1] += v;
      m += v;
      kMax = Math.max(kMax, k);
    }
    this.m = m;
    this.kMax = kMax;
  }

  /**
   * `bucket32` for float64 data (the bucket from the high word). A separate loop, not a shared one with a
   * key callback: each stays monomorphic and inlined, which is most of this pass's speed.
   */
  bucket64(off: number, n: number): void {
    const { p, words, hi } = this;
    const { cand, ckey, next, head, hist } = SCRATCH;
    let m = 0;
    let kMax = -1;
    for (let i = 0; i < n; i++) {
      const j = off + cand[i];
      const k = Math.max(0, ((words[2 * j + hi] & 0x7fffffff) >>> SHIFT64) - RAW_OFFSET64);
      const v = p[j];
      ckey[i] = k;
      next[i] = head[k];
      head[k] = i;
      hist[2 * k]++;
      hist[2 * k + 1] += v;
      m += v;
      kMax = Math.max(kMax, k);
    }
    this.m = m;
    this.kMax = kMax;
  }

  /**
   * Step 1: candidates, the cut lowered until M + λ·max(0, N + 1 − k_reg) − tol > max q̂ (or every class is
   * in). A lowered cut filters the row again from the start, so the candidates are always ascending.
   */
  collect(off: number, r: number): void {
    const { classes, lambda, kReg, tol, limit, f32, check } = this;
    const floor = SCRATCH.floor;
    let kCut = this.cutKey;
    for (let pass = 0; ; pass++) {
      // p ≥ floor[0] = +0 takes every class (−0 included). The first pass also validates the row.
      const n = pass === 0 && check !== undefined ? this.filterAboveChecked(off, floor[kCut], r, check) : this.filterAbove(off, floor[kCut]);
      if (f32) this.bucket32(off, n);
      else this.bucket64(off, n);
      this.kMin = kCut;
      this.n = n;
      if (n === classes || kCut === 0 || this.m + lambda * Math.max(0, n + 1 - kReg) - tol > limit) break;
      this.reset();
      if (pass === 0) this.refiltered++;
      kCut = pass + 1 < REFINE_PASSES ? Math.max(0, kCut - REFINE_BUCKETS) : 0;
    }
  }

  /**
   * Step 2: mass and count of the candidates above each bucket, top down, until the rest is provably out
   * (those buckets get +∞ bounds), and the score bounds of each bucket's classes: with A the mass above
   * the bucket, m its mass, f its floor (≤ p_j) and u the row's U, every class j in it scores in
   * [A + u·f + pen(rank_lo), A + m − (1 − u)·f + pen(rank_hi)] (its own term u·p_j, the rest of the bucket
   * at most m − p_j above it), widened by tol. A bucket of one class has f = m = p_j: its bounds are its
   * score ± tol. Sets the next row's cut from the lowest bucket still needed.
   */
  accumulate(u: number): void {
    const { lambda, kReg, tol, limit, kMin, kMax } = this;
    const { hist, bounds, floor } = SCRATCH;
    const down = 1 - u;
    let sum = 0;
    let num = 0;
    let k = kMax;
    let lowest = -1;
    if (lambda === 0) {
      // APS: no rank penalty.
      const stop = limit + tol;
      for (; k >= kMin; k--) {
        const b = hist[2 * k];
        if (b === 0) continue;
        if (sum > stop) break;
        const mk = hist[2 * k + 1];
        const f = b === 1 ? mk : floor[k];
        bounds[4 * k] = sum - tol + u * f;
        bounds[4 * k + 1] = sum + mk + tol - down * f;
        bounds[4 * k + 2] = sum;
        bounds[4 * k + 3] = num;
        sum += mk;
        num += b;
        lowest = k;
      }
    } else {
      for (; k >= kMin; k--) {
        const b = hist[2 * k];
        if (b === 0) continue;
        const pen = lambda * Math.max(0, num + 1 - kReg);
        if (sum + pen - tol > limit) break;
        const mk = hist[2 * k + 1];
        const f = b === 1 ? mk : floor[k];
        bounds[4 * k] = sum + pen - tol + u * f;
        bounds[4 * k + 1] = sum + mk + lambda * Math.max(0, num + b - kReg) + tol - down * f;
        bounds[4 * k + 2] = sum;
        bounds[4 * k + 3] = num;
        sum += mk;
        num += b;
        lowest = k;
      }
    }
    // Buckets at or below the stop: +∞ bounds, so their classes come out without a branch.
    for (; k >= kMin; k--) {
      bounds[4 * k] = Infinity;
      bounds[4 * k + 1] = Infinity;
    }
    if (lowest >= 0) this.cutKey = Math.max(0, lowest - this.margin);
    if (++this.period === MARGIN_PERIOD) {
      if (this.refiltered > MARGIN_REFILTERS) this.margin = Math.min(MARGIN_MAX, this.margin + 1);
      else if (this.refiltered === 0) this.margin = Math.max(1, this.margin - 1);
      this.period = 0;
      this.refiltered = 0;
    }
  }

  /**
   * Step 3: decides the candidates by their bucket's bounds, 4 a step: in when the upper bound is ≤ q̂_j,
   * out when the lower one is > q̂_j. The ins go to `picks` from 0, the undecided positions from `half`.
   * Returns the member count; sets `this.a` to the straddling one.
   */
  decide(): number {
    const n = this.n;
    const { cand, ckey, picks, finite, bounds, cap: half } = SCRATCH;
    let s = 0;
    let a = half;
    // In/out are data-dependent coin flips for the branch predictor: 0/1 numbers and branch-free compaction.
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const j0 = cand[i];
      const j1 = cand[i + 1];
      const j2 = cand[i + 2];
      const j3 = cand[i + 3];
      const b0 = 4 * ckey[i];
      const b1 = 4 * ckey[i + 1];
      const b2 = 4 * ckey[i + 2];
      const b3 = 4 * ckey[i + 3];
      const q0 = finite[j0];
      const q1 = finite[j1];
      const q2 = finite[j2];
      const q3 = finite[j3];
      const in0 = +(bounds[b0 + 1] <= q0);
      const in1 = +(bounds[b1 + 1] <= q1);
      const in2 = +(bounds[b2 + 1] <= q2);
      const in3 = +(bounds[b3 + 1] <= q3);
      const out0 = +(bounds[b0] > q0);
      const out1 = +(bounds[b1] > q1);
      const out2 = +(bounds[b2] > q2);
      const out3 = +(bounds[b3] > q3);
      picks[s] = j0;
      s += in0;
      picks[s] = j1;
      s += in1;
      picks[s] = j2;
      s += in2;
      picks[s] = j3;
      s += in3;
      // Undecided candidates are rare: a branch, not a store per candidate.
      if ((in0 | out0) === 0) picks[a++] = i;
      if ((in1 | out1) === 0) picks[a++] = i + 1;
      if ((in2 | out2) === 0) picks[a++] = i + 2;
      if ((in3 | out3) === 0) picks[a++] = i + 3;
    }
    for (; i < n; i++) {
      const j = cand[i];
      const b = 4 * ckey[i];
      const q = finite[j];
      const isIn = +(bounds[b + 1] <= q);
      const isOut = +(bounds[b] > q);
      picks[s] = j;
      s += isIn;
      if ((isIn | isOut) === 0) picks[a++] = i;
    }
    this.a = a - half;
    return s;
  }

  /**
   * Step 4: the exact rank and within-bucket mass of each straddling class (a walk over its bucket's
   * list), its score decided within tol; ins go to `extra` (ascending). Returns the number of ins, or −1
   * when a score is within tol of its threshold.
   */
  resolve(off: number, u: number): number {
    const { p, lambda, kReg, tol, a } = this;
    const { cand, ckey, next, head, picks, cap: half, extra, finite, bounds } = SCRATCH;
    let e = 0;
    let settled = true;
    for (let t = 0; t < a; t++) {
      const i = picks[half + t];
      const j = cand[i];
      const k = ckey[i];
      const pj = p[off + j];
      let within = 0;
      let rank = 0;
      for (let h = head[k]; h >= 0; h = next[h]) {
        const c = cand[h];
        const v = p[off + c];
        if (v > pj || (v === pj && c < j)) {
          within += v;
          rank++;
        }
      }
      const sc = bounds[4 * k + 2] + within + u * pj + lambda * Math.max(0, bounds[4 * k + 3] + rank + 1 - kReg);
      const q = finite[j];
      if (sc + tol <= q) extra[e++] = j;
      else if (!(sc - tol > q)) settled = false;
    }
    return settled ? e : -1;
  }

  /** Clears the per-bucket counts, masses and lists of the row. */
  reset(): void {
    const { kMin, kMax } = this;
    if (kMax < kMin) return;
    SCRATCH.hist.fill(0, 2 * kMin, 2 * kMax + 2);
    SCRATCH.head.fill(-1, kMin, kMax + 1);
  }

  /**
   * Marks the set of row r (at `off`) in `matrix` and returns it (ascending), or null when the bounds
   * could not settle it (nothing marked then). Validates the row first when `check` is set.
   */
  markRow(r: number, off: number, u: number, matrix: Uint8Array): number[] | null {
    this.collect(off, r);
    this.accumulate(u);
    const s = this.decide();
    const e = this.a === 0 ? 0 : this.resolve(off, u);
    this.reset();
    if (e < 0) return null;
    const { picks, extra } = SCRATCH;
    if (e === 0 && this.nAlways === 0) return copySet(picks, s, matrix, off);
    return mergeSets(picks, s, extra, e, this.always, this.nAlways, matrix, off);
  }
}

/** Exact-coverage thresholds: per row, class c uses `upper[c]` when V < weights[c], else `lower[c]`. */
export interface ExactCoverageThresholds {
  lower: Float64Array;
  weights: Float64Array;
}

function finiteMax(a: Float64Array, start: number): number {
  let m = start;
  for (let i = 0; i < a.length; i++) if (a[i] !== Infinity && a[i] > m) m = a[i];
  return m;
}

/** `out` = the thresholds with +∞ replaced by −∞ (the bounds then leave those classes out: `always` adds them). */
function finitePart(thresholds: Float64Array, out: Float64Array): Float64Array {
  for (let c = 0; c < thresholds.length; c++) out[c] = thresholds[c] === Infinity ? -Infinity : thresholds[c];
  return out;
}

/** The classes c with upper[c] = +∞ or (when given) lower[c] = +∞, ascending. */
function infiniteClasses(upper: Float64Array, lower?: Float64Array): Int32Array {
  const out: number[] = [];
  for (let c = 0; c < upper.length; c++) if (upper[c] === Infinity || (lower !== undefined && lower[c] === Infinity)) out.push(c);
  return Int32Array.from(out);
}

/**
 * Marks the APS/RAPS sets of every row in `matrix` (row-major n × C, 1 = in the set; must be zero on
 * entry) and, when `sets` is given, appends each row's set (ascending class indices). Classes with
 * q̂ = +∞ are in every set. Per row, draws u = `rng.next()` when `spec.randomized` (else u = 1), then
 * V = `rng.next()` when `exact` is given (the row's thresholds are then upper[c] if V < weights[c], else
 * lower[c]). Returns the number of rows that took the exact (ranked-prefix) path.
 * `check` (the name of the probabilities in errors): `pr` comes from `parseProbsShape` and each row gets
 * `parseProbs`' row check on its first read, before anything of it is used (the same errors, in row
 * order); with an rng to draw from, every row is checked before the first draw instead.
 */
export function markApsSets(
  pr: ProbRows, spec: ScoreSpec, thresholds: Float64Array, rng: RngLike | undefined, matrix: Uint8Array, sets?: number[][], exact?: ExactCoverageThresholds,
  check?: string,
): number {
  const { data: p, rows, classes } = pr;
  const limit = exact ? finiteMax(exact.lower, finiteMax(thresholds, -Infinity)) : finiteMax(thresholds, -Infinity);
  // No finite threshold (no row is filtered) or draws that must not happen before an error: check every row first.
  if (check !== undefined && (limit === -Infinity || spec.randomized || exact)) {
    parseProbs({ data: p, dims: [rows, classes] }, check);
    check = undefined;
  }
  const scratch = apsScratch(classes);
  // Rows leave the per-bucket state clear; reset anyway in case an earlier call was interrupted by an error.
  scratch.hist.fill(0);
  scratch.head.fill(-1);
  const call = ++calls;
  // The bounds' thresholds (+∞ as −∞) once, or with exact coverage both candidates of every class.
  const upperFinite = finitePart(thresholds, new Float64Array(classes));
  const lowerFinite = exact ? finitePart(exact.lower, new Float64Array(classes)) : upperFinite;
  scratch.finite.set(upperFinite);
  finiteOwner = call;
  // With exact coverage, a row's always-in classes are those with a row threshold of +∞ among these.
  const maybeAlways = infiniteClasses(thresholds, exact?.lower);
  const marker = new ApsRowMarker(p, classes, spec, Int32Array.from(maybeAlways), limit, check);
  const { always } = marker;
  const rowThresholds = exact ? new Float64Array(classes) : thresholds;
  let ranked: RankScratch | undefined;
  let exactRows = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * classes;
    const u = spec.randomized ? (rng as RngLike).next() : 1;
    let v = 0;
    if (exact) {
      v = (rng as RngLike).next();
      const { weights, lower } = exact;
      const finite = apsScratch(classes).finite;
      for (let c = 0; c < classes; c++) finite[c] = v < weights[c] ? upperFinite[c] : lowerFinite[c];
      finiteOwner = call;
      let na = 0;
      for (let i = 0; i < maybeAlways.length; i++) {
        const c = maybeAlways[i];
        if ((v < weights[c] ? thresholds[c] : lower[c]) === Infinity) always[na++] = c;
      }
      marker.nAlways = na;
    } else if (finiteOwner !== call) {
      // A call made from within the rng took the shared thresholds over: put ours back.
      apsScratch(classes).finite.set(upperFinite);
      finiteOwner = call;
    }
    let set: number[] | null;
    if (limit === -Infinity) {
      set = copySet(always, marker.nAlways, matrix, off);
    } else {
      set = marker.markRow(r, off, u, matrix);
      if (set === null) {
        // Too close to a threshold for the bounds: the exact ranked-prefix path.
        exactRows++;
        if (exact) for (let c = 0; c < classes; c++) rowThresholds[c] = v < exact.weights[c] ? thresholds[c] : exact.lower[c];
        for (let i = 0; i < marker.nAlways; i++) matrix[off + always[i]] = 1;
        ranked ??= rankScratch(classes);
        scanRankedPrefix(p, off, classes, spec, u, limit, ranked, (c, score) => {
          if (score <= rowThresholds[c]) matrix[off + c] = 1;
        });
        if (sets) {
          set = [];
          for (let c = 0; c < classes; c++) if (matrix[off + c] === 1) set.push(c);
        }
      }
    }
    if (sets) sets.push(set as number[]);
  }
  return exactRows;
}
