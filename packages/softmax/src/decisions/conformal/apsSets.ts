import type { RngLike } from '../../tensor/rng.js';
import type { FloatArray } from '../../tensor/types.js';
import { rankScratch, scanRankedPrefix, type ProbRows, type RankScratch, type ScoreSpec } from './scores.js';

/**
 * Fast APS/RAPS prediction sets: C(x) = {y : s(x, y) ≤ q̂_y} without sorting the row.
 *
 * With π the classes sorted by descending probability (ties: lower index first), the APS score of class y
 * is s(x, y) = Σ_{k < o(y)} p_{π_k} + u·p_y (+ λ·max(0, o(y) − k_reg) for RAPS), the mass ranked above y
 * summed in rank order. It grows with the rank, so only a short prefix of the ranking can enter a set:
 * 1. Buckets: every probability falls in a bucket read off its float bits (exponent and 4 mantissa
 *    bits: 16 buckets per octave), so a higher bucket means a strictly larger probability.
 * 2. Candidates: the classes in buckets ≥ a cut, collected by one branch-free pass over the row. The cut
 *    starts just below the lowest bucket the previous row needed and is lowered (another pass) until the
 *    candidates' mass M and count N prove every other class out: M + λ·max(0, N + 1 − k_reg) > max q̂.
 * 3. Bounds: the mass and count of the candidate buckets above a class bound its score from below and,
 *    with the rest of its own bucket, from above; most candidates are decided in or out by these bounds
 *    alone, without ranking.
 * 4. Only a bucket holding a class whose bounds straddle its threshold is sorted (small); its classes
 *    then get exact ranks and scores.
 * Every decision keeps a margin `tol` covering the float64 rounding difference between these sums and
 * the rank-order sum of the definition; a class closer to its threshold than that sends its row to the
 * exact path (`scanRankedPrefix`: rank the prefix, sum in rank order). The sets are therefore exactly
 * those of thresholding `conformalScores` (bit-identical arithmetic on the exact path).
 *
 * Cost per row O(C) for the filter plus O(K) for K candidates and O(b log b) for each straddling bucket
 * of size b, against O(C log C) for a full sort.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Buckets per octave of probability: 2^MANTISSA_BITS (16). */
const MANTISSA_BITS = 4;
/** The next row's first cut: this many buckets (1/8 octave) below the lowest bucket the row needed. */
const CUT_MARGIN = 2;
/** A cut that leaves too little mass is lowered by this many buckets (half an octave)… */
const REFINE_BUCKETS = 8;
/** …at most this many times before the last pass takes every class. */
const REFINE_PASSES = 4;
/** Buckets at most this large are sorted by insertion. */
const INSERTION_MAX = 32;

/** Reads the bucket of an entry from its float bits: sign dropped (so −0 = +0), 16 buckets per octave. */
interface BitsView {
  words: Uint32Array;
  stride: number;
  hi: number;
  shift: number;
  buckets: number;
}

/** The bit view of a probability matrix; `buckets` covers every value < 2 (entries are ≤ 1.001). */
function bitsView(p: FloatArray): BitsView {
  const view = rawView(p);
  view.buckets = keyOf(view, 2) + 1;
  return view;
}

function rawView(p: FloatArray): BitsView {
  if (p instanceof Float32Array) {
    return { words: new Uint32Array(p.buffer, p.byteOffset, p.length), stride: 1, hi: 0, shift: 23 - MANTISSA_BITS, buckets: 0 };
  }
  return { words: new Uint32Array(p.buffer, p.byteOffset, p.length * 2), stride: 2, hi: LITTLE_ENDIAN ? 1 : 0, shift: 20 - MANTISSA_BITS, buckets: 0 };
}

/** The bucket of a value ≥ 0. */
function keyOf(view: BitsView, v: number): number {
  if (view.stride === 1) {
    const f = new Float32Array([v]);
    return (new Uint32Array(f.buffer)[0] & 0x7fffffff) >>> view.shift;
  }
  const d = new Float64Array([v]);
  return (new Uint32Array(d.buffer)[view.hi] & 0x7fffffff) >>> view.shift;
}

/** Sorts indices `ix[first, first + n)` by descending p[o + j], ties by lower j. */
function sortByRank(ix: Int32Array, first: number, n: number, p: FloatArray, o: number): void {
  const end = first + n;
  if (n <= INSERTION_MAX) {
    for (let a = first + 1; a < end; a++) {
      const j = ix[a];
      const v = p[o + j];
      let b = a - 1;
      while (b >= first) {
        const w = p[o + ix[b]];
        if (w > v || (w === v && ix[b] < j)) break;
        ix[b + 1] = ix[b];
        b--;
      }
      ix[b + 1] = j;
    }
    return;
  }
  const list = Array.from(ix.subarray(first, end));
  list.sort((a, b) => p[o + b] - p[o + a] || a - b);
  for (let a = 0; a < n; a++) ix[first + a] = list[a];
}

/** Per-predict state of the fast path; one `markRow` per row (small methods keep the optimiser happy). */
class ApsRowMarker {
  readonly p: FloatArray;
  readonly classes: number;
  /** The current row's thresholds and its always-in classes (q̂ = +∞), ascending. */
  thresholds: Float64Array;
  always: number[] = [];
  readonly limit: number;
  readonly lambda: number;
  readonly kReg: number;
  readonly tol: number;
  readonly view: BitsView;
  readonly cand: Int32Array;
  readonly ckey: Int32Array;
  readonly sortBuf: Int32Array;
  readonly ambiguous: Int32Array;
  readonly slotStart: Int32Array;
  readonly slotFill: Int32Array;
  readonly count: Int32Array;
  readonly mass: Float64Array;
  readonly cumAbove: Float64Array;
  readonly nAbove: Int32Array;
  readonly loBase: Float64Array;
  readonly hiBase: Float64Array;
  readonly flagged: Int32Array;
  /** First cut of the next row (a bucket). */
  cutKey: number;
  /** Candidates of the current row, their mass, bucket range and whether `cand` is ascending. */
  n = 0;
  m = 0;
  kMin = 0;
  kMax = 0;
  ascending = true;

  /** `limit` must bound every finite threshold of every row. */
  constructor(p: FloatArray, classes: number, spec: ScoreSpec, thresholds: Float64Array, limit: number) {
    this.p = p;
    this.classes = classes;
    this.thresholds = thresholds;
    for (let c = 0; c < classes; c++) if (thresholds[c] === Infinity) this.always.push(c);
    this.limit = limit;
    this.lambda = spec.score === 'raps' ? spec.lambda : 0;
    this.kReg = spec.kReg;
    // Rounding margin: two float64 sums of ≤ C non-negative terms (total ≤ 1.001) in different orders differ
    // by ≤ 2(C − 1)·2⁻⁵³·1.001; the score's own additions add a few ulps of its magnitude (≈ |q̂| near a decision).
    this.tol = (4 * classes + 64) * 2 ** -52 * (2 + Math.abs(limit));
    const view = bitsView(p);
    this.view = view;
    this.cand = new Int32Array(classes);
    this.ckey = new Int32Array(classes);
    this.sortBuf = new Int32Array(classes);
    this.ambiguous = new Int32Array(classes);
    this.slotStart = new Int32Array(classes);
    this.slotFill = new Int32Array(classes);
    this.count = new Int32Array(view.buckets);
    this.mass = new Float64Array(view.buckets);
    this.cumAbove = new Float64Array(view.buckets);
    this.nAbove = new Int32Array(view.buckets);
    this.loBase = new Float64Array(view.buckets);
    this.hiBase = new Float64Array(view.buckets);
    this.flagged = new Int32Array(view.buckets);
    this.cutKey = keyOf(view, 0.5 / classes);
  }

  /** Appends the classes with key in [kCut, kAbove) to `cand` (branch-free compaction) and returns the new count. */
  filter(off: number, kCut: number, kAbove: number, n: number): number {
    const { cand, classes } = this;
    const { words, stride, hi, shift } = this.view;
    // Compared as float words (bucket << shift): one integer subtraction and its sign per class.
    const lo = kCut << shift;
    const top = kAbove << shift; // < 2^31: buckets cover values < 2 only
    if (stride === 1 && kAbove === this.view.buckets) {
      for (let j = 0; j < classes; j++) {
        cand[n] = j;
        n -= (lo - 1 - (words[off + j] & 0x7fffffff)) >> 31;
      }
      return n;
    }
    for (let j = 0; j < classes; j++) {
      const w = words[(off + j) * stride + hi] & 0x7fffffff;
      cand[n] = j;
      n -= ((lo - 1 - w) >> 31) & ((w - top) >> 31);
    }
    return n;
  }

  /** Buckets of cand[first, n): key, count, mass; adds their mass to `m`, widens [kMin, kMax]. */
  bucket(off: number, first: number, n: number): void {
    const { cand, ckey, count, mass, p } = this;
    const { words, stride, hi, shift } = this.view;
    let { m, kMin, kMax } = this;
    for (let i = first; i < n; i++) {
      const j = cand[i];
      const k = (words[(off + j) * stride + hi] & 0x7fffffff) >> shift;
      const v = p[off + j];
      ckey[i] = k;
      count[k]++;
      mass[k] += v;
      m += v;
      if (k > kMax) kMax = k;
      if (k < kMin) kMin = k;
    }
    this.m = m;
    this.kMin = kMin;
    this.kMax = kMax;
  }

  /** Step 1: candidates, the cut lowered until M + λ·max(0, N + 1 − k_reg) − tol > max q̂ (or every class is in). */
  collect(off: number): void {
    const { classes, lambda, kReg, tol, limit } = this;
    this.m = 0;
    this.kMin = this.view.buckets;
    this.kMax = -1;
    this.ascending = true;
    let n = 0;
    let kCut = this.cutKey;
    let kAbove = this.view.buckets;
    for (let pass = 0; ; pass++) {
      const first = n;
      n = this.filter(off, kCut, kAbove, n);
      this.bucket(off, first, n);
      if (pass > 0) this.ascending = false;
      if (n === classes || kCut === 0 || this.m + lambda * Math.max(0, n + 1 - kReg) - tol > limit) break;
      kAbove = kCut;
      kCut = pass < REFINE_PASSES ? Math.max(0, kCut - REFINE_BUCKETS) : 0;
    }
    this.n = n;
  }

  /**
   * Step 2: mass and count of the candidates above each bucket, top down, until the rest is provably out
   * (those buckets get +∞ mass above). Sets the next row's cut from the lowest bucket still needed.
   */
  accumulate(): void {
    const { count, mass, cumAbove, nAbove, loBase, hiBase, lambda, kReg, tol, limit, kMin, kMax } = this;
    let sum = 0;
    let num = 0;
    let stop = kMin - 1;
    let lowest = -1;
    for (let k = kMax; k >= kMin; k--) {
      if (count[k] === 0) continue;
      if (sum + lambda * Math.max(0, num + 1 - kReg) - tol > limit) {
        stop = k;
        break;
      }
      cumAbove[k] = sum;
      nAbove[k] = num;
      // Score bounds of the bucket's classes without their own u·p term (see decide).
      loBase[k] = sum + lambda * Math.max(0, num + 1 - kReg) - tol;
      hiBase[k] = sum + mass[k] + lambda * Math.max(0, num + count[k] - kReg) + tol;
      sum += mass[k];
      num += count[k];
      lowest = k;
    }
    // Buckets at or below stop: +∞ bounds, so their classes come out (unless q̂ = +∞) without a branch.
    for (let k = stop; k >= kMin; k--) {
      loBase[k] = Infinity;
      hiBase[k] = Infinity;
    }
    if (lowest >= 0) this.cutKey = Math.max(0, lowest - CUT_MARGIN);
  }

  /** Step 3: decide candidates by their bounds (marks the ins); returns the number of straddling buckets listed in `ambiguous`. */
  decide(off: number, u: number, matrix: Uint8Array): number {
    const { cand, ckey, loBase, hiBase, flagged, ambiguous, thresholds, p, n } = this;
    const down = 1 - u;
    let nAmb = 0;
    // In/out are data-dependent coin flips for the branch predictor: computed as 0/1 numbers and stored
    // unconditionally; only the rare undecided class branches.
    for (let i = 0; i < n; i++) {
      const k = ckey[i];
      const j = cand[i];
      const q = thresholds[j];
      const pj = p[off + j];
      // score ∈ [above + u·p_j + pen(rank_lo), above + (m_k − p_j) + u·p_j + pen(rank_hi)], widened by tol.
      const upper = hiBase[k] - down * pj;
      const lower = loBase[k] + u * pj;
      const isIn = +(upper <= q);
      matrix[off + j] = isIn;
      if (isIn + +(lower > q) !== 0) continue;
      if (flagged[k] === 0) {
        flagged[k] = 1;
        ambiguous[nAmb++] = k;
      }
    }
    return nAmb;
  }

  /**
   * Step 4: sorts each straddling bucket (gathered in one scan, bucket a at slotStart[a]) and decides its
   * classes by exact rank and a score within tol. False when a score is within tol of its threshold.
   */
  rankStraddling(off: number, u: number, nAmb: number, matrix: Uint8Array): boolean {
    const { cand, ckey, count, cumAbove, nAbove, flagged, ambiguous, slotStart, slotFill, sortBuf, thresholds, p, lambda, kReg, tol, n } = this;
    let total = 0;
    for (let a = 0; a < nAmb; a++) {
      const k = ambiguous[a];
      flagged[k] = a + 1;
      slotStart[a] = total;
      slotFill[a] = total;
      total += count[k];
    }
    for (let i = 0; i < n; i++) {
      const a = flagged[ckey[i]];
      if (a !== 0) sortBuf[slotFill[a - 1]++] = cand[i];
    }
    let settled = true;
    for (let a = 0; a < nAmb && settled; a++) {
      const k = ambiguous[a];
      const first = slotStart[a];
      const b = count[k];
      sortByRank(sortBuf, first, b, p, off);
      let cum = cumAbove[k];
      let rank = nAbove[k];
      for (let i = first; i < first + b; i++) {
        const j = sortBuf[i];
        const pj = p[off + j];
        const q = thresholds[j];
        if (q !== Infinity) {
          const sc = cum + u * pj + lambda * Math.max(0, rank + 1 - kReg);
          if (sc + tol <= q) matrix[off + j] = 1;
          else if (!(sc - tol > q)) {
            settled = false;
            break;
          }
        }
        cum += pj;
        rank++;
      }
    }
    for (let a = 0; a < nAmb; a++) flagged[ambiguous[a]] = 0;
    return settled;
  }

  /** Marks row `off`'s set; false when the bounds could not settle it (the row is then left partly marked). */
  markRow(off: number, u: number, matrix: Uint8Array): boolean {
    this.collect(off);
    this.accumulate();
    const nAmb = this.decide(off, u, matrix);
    const settled = nAmb === 0 || this.rankStraddling(off, u, nAmb, matrix);
    this.count.fill(0, this.kMin, this.kMax + 1);
    this.mass.fill(0, this.kMin, this.kMax + 1);
    return settled;
  }

  /** The ascending set of a settled row from its candidates (ascending after one pass) and the always-in classes. */
  setFromCandidates(off: number, matrix: Uint8Array): number[] {
    const { cand, thresholds, always, n, sortBuf } = this;
    // Branch-free compaction of the marked candidates (q̂ = +∞ ones come from `always`), then a merge.
    let s = 0;
    for (let i = 0; i < n; i++) {
      const j = cand[i];
      sortBuf[s] = j;
      s += matrix[off + j] & +(thresholds[j] !== Infinity);
    }
    if (always.length === 0) {
      const set = new Array<number>(s);
      for (let i = 0; i < s; i++) set[i] = sortBuf[i];
      return set;
    }
    const set: number[] = [];
    let a = 0;
    for (let i = 0; i < s; i++) {
      const j = sortBuf[i];
      while (a < always.length && always[a] < j) set.push(always[a++]);
      set.push(j);
    }
    while (a < always.length) set.push(always[a++]);
    return set;
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

/**
 * Marks the APS/RAPS sets of every row in `matrix` (row-major n × C, 1 = in the set; must be zero on
 * entry) and, when `sets` is given, appends each row's set (ascending class indices). Classes with
 * q̂ = +∞ are in every set. Per row, draws u = `rng.next()` when `spec.randomized` (else u = 1), then
 * V = `rng.next()` when `exact` is given (the row's thresholds are then upper[c] if V < weights[c], else
 * lower[c]). Returns the number of rows that took the exact (ranked-prefix) path.
 */
export function markApsSets(
  pr: ProbRows, spec: ScoreSpec, thresholds: Float64Array, rng: RngLike | undefined, matrix: Uint8Array, sets?: number[][], exact?: ExactCoverageThresholds,
): number {
  const { data: p, rows, classes } = pr;
  const limit = exact ? finiteMax(exact.lower, finiteMax(thresholds, -Infinity)) : finiteMax(thresholds, -Infinity);
  const marker = new ApsRowMarker(p, classes, spec, thresholds, limit);
  const alwaysUpper = marker.always;
  const rowThresholds = exact ? new Float64Array(classes) : thresholds;
  let scratch: RankScratch | undefined;
  let exactRows = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * classes;
    const u = spec.randomized ? (rng as RngLike).next() : 1;
    if (exact) {
      const v = (rng as RngLike).next();
      for (let c = 0; c < classes; c++) rowThresholds[c] = v < exact.weights[c] ? thresholds[c] : exact.lower[c];
      marker.thresholds = rowThresholds;
      marker.always = alwaysUpper.filter((c) => rowThresholds[c] === Infinity);
    }
    const always = marker.always;
    for (const c of always) matrix[off + c] = 1;
    if (limit === -Infinity) {
      if (sets) sets.push(always.slice());
      continue;
    }
    const settled = marker.markRow(off, u, matrix);
    if (!settled) {
      // Too close to a threshold for the bounds: the exact ranked-prefix path.
      exactRows++;
      matrix.fill(0, off, off + classes);
      for (const c of always) matrix[off + c] = 1;
      scratch ??= rankScratch(classes);
      scanRankedPrefix(p, off, classes, spec, u, limit, scratch, (c, score) => {
        if (score <= rowThresholds[c]) matrix[off + c] = 1;
      });
    }
    if (!sets) continue;
    if (settled && marker.ascending) {
      sets.push(marker.setFromCandidates(off, matrix));
    } else {
      const set: number[] = [];
      for (let c = 0; c < classes; c++) if (matrix[off + c] === 1) set.push(c);
      sets.push(set);
    }
  }
  return exactRows;
}
