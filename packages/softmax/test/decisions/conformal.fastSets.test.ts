/**
 * The fast prediction-set paths against the plain definition C(x) = {y : s(x, y) ≤ q̂_y}:
 * - LAC compares p ≥ p*_c in the input type (lacCut) instead of computing 1 − p per entry;
 * - APS/RAPS decide most classes by bucket bounds (markApsSets) instead of sorting each row.
 * The definition here is written out independently: 1 − p, or a full sort (ties by lower index) with
 * rank-order sums, thresholded per class, with the per-row U (randomized) then V (exact coverage) draws.
 */
import { describe, expect, it } from 'vitest';
import { conformalFromJSON, type ConformalPredictorJSON } from '../../src/decisions/conformal/index.js';
import { lacCut } from '../../src/decisions/conformal/lacSets.js';
import { parseProbs } from '../../src/decisions/conformal/scores.js';
import { createRng, type Rng } from '../../src/tensor/rng.js';

type Score = 'lac' | 'aps' | 'raps';

interface Setting {
  score: Score;
  randomized?: boolean;
  lambda?: number;
  kReg?: number;
  /** Exact coverage: per class, the lower threshold and the probability of the upper one. */
  lower?: Float64Array;
  weights?: Float64Array;
}

/** The definition: one U per row (randomized), then one V (exact coverage), from `rng` in row order. */
function definitionSets(p: Float32Array | Float64Array, rows: number, classes: number, thresholds: Float64Array, s: Setting, rng?: Rng): number[][] {
  const lambda = s.lambda ?? 0.01;
  const kReg = s.kReg ?? 5;
  const sets: number[][] = [];
  const score = new Float64Array(classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const u = s.randomized ? (rng as Rng).next() : 1;
    const v = s.lower ? (rng as Rng).next() : 0;
    if (s.score === 'lac') {
      for (let c = 0; c < classes; c++) score[c] = 1 - p[o + c];
    } else {
      const order = Array.from({ length: classes }, (_, j) => j).sort((a, b) => p[o + b] - p[o + a] || a - b);
      let cum = 0;
      order.forEach((c, k) => {
        let sc = cum + u * p[o + c];
        if (s.score === 'raps') sc += lambda * Math.max(0, k + 1 - kReg);
        score[c] = sc;
        cum += p[o + c];
      });
    }
    const set: number[] = [];
    for (let c = 0; c < classes; c++) {
      const q = s.lower && s.weights ? (v < s.weights[c] ? thresholds[c] : s.lower[c]) : thresholds[c];
      if (score[c] <= q) set.push(c);
    }
    sets.push(set);
  }
  return sets;
}

const encode = (x: number): number | 'Infinity' | '-Infinity' => (x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x);

/** A class-wise predictor with the given thresholds (through the JSON form, so any thresholds can be set). */
function predictor(classes: number, thresholds: Float64Array, s: Setting) {
  const json: ConformalPredictorJSON = {
    format: 'softmax.conformal',
    version: 1,
    method: 'classwise',
    alpha: 0.1,
    score: s.score,
    randomized: s.randomized ?? false,
    lambda: s.lambda ?? 0.01,
    kReg: s.kReg ?? 5,
    classes,
    thresholds: Array.from(thresholds, encode),
  };
  if (s.lower && s.weights) {
    json.exactCoverage = true;
    json.lowerThresholds = Array.from(s.lower, encode);
    json.upperWeights = Array.from(s.weights);
  }
  return conformalFromJSON(json);
}

/** The sets read off the 0/1 matrix (any other byte value is reported as class −1). */
function matrixSets(matrix: Uint8Array, rows: number, classes: number): number[][] {
  return Array.from({ length: rows }, (_, r) => {
    const set: number[] = [];
    for (let c = 0; c < classes; c++) {
      const m = matrix[r * classes + c];
      if (m === 1) set.push(c);
      else if (m !== 0) set.push(-1);
    }
    return set;
  });
}

/** Checks predict against the definition for one setting, float32 and float64 copies of `w`. */
function check(w: Float64Array, rows: number, classes: number, thresholds: Float64Array, s: Setting, seed = 17): void {
  for (const p of [Float32Array.from(w), Float64Array.from(w)]) {
    const needsRng = s.randomized === true || s.lower !== undefined;
    const got = predictor(classes, thresholds, s).predict({ data: p, dims: [rows, classes] }, needsRng ? { rng: createRng(seed) } : undefined);
    const want = definitionSets(p, rows, classes, thresholds, s, needsRng ? createRng(seed) : undefined);
    expect(got.sets).toEqual(want);
    expect(matrixSets(got.matrix, rows, classes)).toEqual(want);
  }
}

/** Rows of awkward probability vectors: ties, zeros (and −0), one-hot (a probability of 1), uniform, peaked, flat. */
function awkwardRows(rng: Rng, rows: number, classes: number): Float64Array {
  const w = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const kind = r % 6;
    for (let j = 0; j < classes; j++) {
      if (kind === 0) w[o + j] = rng.nextInt(4); // small integers: exact ties and zeros
      else if (kind === 1) w[o + j] = 1; // uniform
      else if (kind === 2) w[o + j] = j === r % classes ? 1 : 0; // one-hot
      else if (kind === 3) w[o + j] = 2 ** -rng.nextInt(40); // powers of two over many octaves
      else if (kind === 4) w[o + j] = Math.exp(8 * rng.normal()); // very peaked
      else w[o + j] = Math.exp(0.05 * rng.normal()); // nearly flat
    }
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += w[o + j];
    if (sum === 0) w[o] = sum = 1;
    for (let j = 0; j < classes; j++) w[o + j] /= sum;
    if (kind === 2 && classes > 1) w[o + ((r + 1) % classes)] = -0; // −0 is a valid (zero) probability
  }
  return w;
}

/** Per-class thresholds: some equal to scores that occur (ties at the threshold), 0, ±∞, random; all differing. */
function awkwardThresholds(rng: Rng, classes: number, occurring: number[], hi: number): Float64Array {
  return Float64Array.from({ length: classes }, () => {
    const u = rng.next();
    if (u < 0.3 && occurring.length > 0) return occurring[rng.nextInt(occurring.length)];
    if (u < 0.38) return 0;
    if (u < 0.44) return Infinity;
    if (u < 0.48) return -Infinity;
    return rng.next() * hi;
  });
}

/** Scores that occur in `w` (float32 and float64 views), to place thresholds exactly on them. */
function occurringScores(w: Float64Array, rows: number, classes: number, s: Setting): number[] {
  const out: number[] = [];
  for (const p of [Float32Array.from(w), Float64Array.from(w)]) {
    for (const set of [definitionScores(p, rows, classes, s)]) out.push(...set);
  }
  return out;
}

function definitionScores(p: Float32Array | Float64Array, rows: number, classes: number, s: Setting): number[] {
  const out: number[] = [];
  const lambda = s.lambda ?? 0.01;
  const kReg = s.kReg ?? 5;
  for (let r = 0; r < Math.min(rows, 12); r++) {
    const o = r * classes;
    if (s.score === 'lac') {
      for (let c = 0; c < classes; c++) out.push(1 - p[o + c]);
      continue;
    }
    const order = Array.from({ length: classes }, (_, j) => j).sort((a, b) => p[o + b] - p[o + a] || a - b);
    let cum = 0;
    order.forEach((c, k) => {
      out.push(cum + p[o + c] + (s.score === 'raps' ? lambda * Math.max(0, k + 1 - kReg) : 0));
      cum += p[o + c];
    });
  }
  return out;
}

const SETTINGS: Setting[] = [
  { score: 'lac' },
  { score: 'aps' },
  { score: 'aps', randomized: true },
  { score: 'raps' },
  { score: 'raps', randomized: true, lambda: 0.05, kReg: 2 },
];

describe('lacCut: fl64(1 − x) ≤ q ⟺ x ≥ lacCut(q), and lacCut(q) is the smallest such value', () => {
  const f32 = new Float32Array(1);
  const b32 = new Uint32Array(f32.buffer);
  const f64 = new Float64Array(1);
  const b64 = new BigUint64Array(f64.buffer);
  /** The next value below a non-negative x of the type (x > 0). */
  const below = (x: number, single: boolean): number => {
    if (single) {
      f32[0] = x;
      b32[0] -= 1;
      return f32[0];
    }
    f64[0] = x;
    b64[0] -= 1n;
    return f64[0];
  };
  for (const single of [true, false]) {
    it(single ? 'float32 inputs' : 'float64 inputs', () => {
      const like = single ? new Float32Array(1) : new Float64Array(1);
      const round = (x: number): number => (single ? Math.fround(x) : x);
      const rng = createRng(single ? 3 : 4);
      const xs = [0, -0, 2 ** -149, 2 ** -126, 2 ** -60, 2 ** -54, 2 ** -53, 1e-3, 0.5, 1 - 2 ** -24, 1 - 2 ** -53, 1, 1.0005, 1.001, 2];
      for (let i = 0; i < 200; i++) xs.push(rng.next(), rng.next() * 1e-3, 1 - rng.next() * 1e-6);
      for (let i = 0; i < xs.length; i++) xs[i] = round(xs[i]); // values of the input type (−0 kept)
      const qs = [Infinity, -Infinity, NaN, 0, -0, 1, 1 - 2 ** -53, 2 ** -54, 2 ** -53, -1e-4, -0.01, 1.5, 0.999, 1e-300];
      for (const x of xs) qs.push(1 - x, 1 - x + 1e-17, 1 - x - 1e-17);
      for (let i = 0; i < 200; i++) qs.push(rng.next(), 1 - rng.next() * 1e-4);
      // Collected, then compared once (an expect per pair would dominate the run time).
      const failures: string[] = [];
      for (const q of qs) {
        const cut = lacCut(q, like);
        if (!(round(cut) === cut || cut === Infinity)) failures.push(`q ${q}: cut ${cut} is not a value of the type`);
        for (const x of xs) if ((x >= cut) !== (1 - x <= q)) failures.push(`q ${q}, x ${x}: cut ${cut}`);
        if (Number.isNaN(q) && cut !== Infinity) failures.push(`NaN: cut ${cut}`);
        if (q === Infinity && cut !== 0) failures.push(`+∞: cut ${cut}`);
        // Minimal: the value just below the cut does not qualify.
        if (cut > 0 && cut !== Infinity && 1 - below(cut, single) <= q) failures.push(`q ${q}: cut ${cut} is not the smallest`);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('fast prediction sets equal the definition on awkward inputs', () => {
  for (const classes of [1, 2, 3, 17, 64]) {
    for (const s of SETTINGS) {
      const name = `${s.score}${s.randomized ? ' randomized' : ''}`;
      it(`${name}, ${classes} class${classes === 1 ? '' : 'es'}: ties, zeros, −0, one-hot, peaked and flat rows; float32 and float64`, () => {
        const rng = createRng(classes * 31 + s.score.length + (s.randomized ? 7 : 0));
        const rows = 48;
        const w = awkwardRows(rng, rows, classes);
        const hi = s.score === 'raps' ? 1 + 0.05 * classes : 1;
        const occurring = occurringScores(w, rows, classes, s);
        const fill = (x: number): Float64Array => new Float64Array(classes).fill(x);
        const cases = [fill(Infinity), fill(0), fill(-Infinity), fill(0.5), fill(1), awkwardThresholds(rng, classes, occurring, hi), awkwardThresholds(rng, classes, occurring, hi)];
        for (const t of cases) check(w, rows, classes, t, s);
        // Exact coverage: per row, V picks thresholds[c] (V < weights[c]) or lower[c].
        const lower = awkwardThresholds(rng, classes, occurring, hi);
        const weights = Float64Array.from({ length: classes }, () => (rng.next() < 0.2 ? 1 : 0.05 + 0.9 * rng.next()));
        check(w, rows, classes, awkwardThresholds(rng, classes, occurring, hi), { ...s, lower, weights });
      });
    }
  }

  it('probabilities of exactly 1 with 1 and 3 classes, thresholds at 0 and at the scores 0 and 1', () => {
    for (const s of SETTINGS) {
      check(new Float64Array([1, 1, 1]), 3, 1, new Float64Array([0]), s);
      check(new Float64Array([1, 1]), 2, 1, new Float64Array([1]), s);
      const w = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1 / 3, 1 / 3, 1 / 3]);
      for (const t of [[0, 0, 0], [1, 1, 1], [0, 1, Infinity], [-Infinity, 0.5, 1 / 3]]) check(w, 4, 3, Float64Array.from(t), s);
    }
  });
});

describe('APS/RAPS with many classes: the adaptive cut across rows of very different shapes', () => {
  it('alternating peaked, flat and tied rows (cut lowered, refiltered, or every class taken), clustered-like thresholds', () => {
    const rng = createRng(2024);
    const classes = 600;
    const rows = 90;
    const w = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) {
      const o = r * classes;
      const kind = r % 5;
      for (let j = 0; j < classes; j++) {
        if (kind === 0) w[o + j] = Math.exp(rng.normal() + (j === r % classes ? 6 : 0)); // one dominant class
        else if (kind === 1) w[o + j] = Math.exp(0.01 * rng.normal()); // almost uniform: the cut must go deep
        else if (kind === 2) w[o + j] = 1 + rng.nextInt(3); // ties
        else if (kind === 3) w[o + j] = Math.exp(3 * rng.normal()); // heavy tail
        else w[o + j] = j < 3 ? 1 : 0; // three classes share the mass, the rest are zeros
      }
      let sum = 0;
      for (let j = 0; j < classes; j++) sum += w[o + j];
      for (let j = 0; j < classes; j++) w[o + j] /= sum;
    }
    // Ten threshold levels shared by groups of classes (as clustered conformal gives), two always-in classes.
    const levels = Array.from({ length: 10 }, (_, g) => 0.05 + 0.09 * g);
    const group = Int32Array.from({ length: classes }, () => rng.nextInt(levels.length));
    for (const s of SETTINGS.filter((x) => x.score !== 'lac')) {
      const shift = s.score === 'raps' ? 0.3 : 0;
      const thresholds = Float64Array.from(group, (g) => levels[g] + shift);
      thresholds[5] = Infinity;
      thresholds[400] = Infinity;
      check(w, rows, classes, thresholds, s);
      // One very high threshold (near the whole mass) forces every row to rank deep.
      thresholds[7] = 0.999 + shift;
      check(w, rows, classes, thresholds, s);
    }
  });
});

/** The error a call throws (undefined when it returns). */
function thrown(run: () => unknown): { name?: string; code?: string; message: string } | undefined {
  try {
    run();
  } catch (e) {
    const err = e as { name?: string; code?: string; message: string };
    return { name: err.name, code: err.code, message: err.message };
  }
  return undefined;
}

describe('predict checks the rows as parseProbs does (checked inside the marking passes when nothing else comes first)', () => {
  const rows = 40;
  const classes = 50;
  const good = (): Float64Array => awkwardRows(createRng(8), rows, classes);
  const thresholds = Float64Array.from({ length: classes }, (_, c) => (c % 7 === 0 ? Infinity : 0.2 + 0.01 * c));
  /** Bad row r: a negative entry, NaN, +∞, an unnormalised row (logits) or a row that sums to 0.9. */
  const spoil = (w: Float64Array, r: number, how: number): Float64Array => {
    const o = r * classes;
    if (how === 0) w[o + 3] = -1e-3;
    else if (how === 1) w[o + 5] = NaN;
    else if (how === 2) w[o + 7] = Infinity;
    else if (how === 3) for (let j = 0; j < classes; j++) w[o + j] = Math.log(w[o + j] + 1e-9);
    else for (let j = 0; j < classes; j++) w[o + j] *= 0.9;
    return w;
  };
  for (const s of SETTINGS) {
    it(`${s.score}${s.randomized ? ' randomized' : ''}: the same errors as parseProbs, the first bad row first, before any rng draw`, () => {
      const pred = predictor(classes, thresholds, s);
      const needsRng = s.randomized === true;
      for (const f32 of [true, false]) {
        for (let how = 0; how < 5; how++) {
          for (const r of [0, 17, rows - 1]) {
            const w = spoil(spoil(good(), r, how), Math.min(rows - 1, r + 5), (how + 1) % 5);
            const data = f32 ? Float32Array.from(w) : w;
            const want = thrown(() => parseProbs({ data, dims: [rows, classes] }, 'probs'));
            expect(want?.code).toBe('E_PARAM');
            const rng = createRng(3);
            const got = thrown(() => pred.predict({ data, dims: [rows, classes] }, needsRng ? { rng } : undefined));
            expect(got).toEqual(want);
            if (needsRng) expect(rng.next()).toBe(createRng(3).next());
          }
        }
      }
    });
  }

  it('a bad row still comes before a wrong class count or a missing rng (the original order of errors)', () => {
    const w = spoil(good(), 9, 0);
    const want = thrown(() => parseProbs({ data: w, dims: [rows, classes] }, 'probs'));
    const other = predictor(classes + 1, new Float64Array(classes + 1).fill(0.5), { score: 'aps' });
    expect(thrown(() => other.predict({ data: w, dims: [rows, classes] }))).toEqual(want);
    const randomized = predictor(classes, thresholds, { score: 'aps', randomized: true });
    expect(thrown(() => randomized.predict({ data: w, dims: [rows, classes] }))).toEqual(want);
  });
});

describe('shared scratch: growth, thresholds changed between calls, an rng that calls predict', () => {
  it('more classes than the scratch held, then fewer again', () => {
    const rng = createRng(12);
    for (const classes of [4200, 30, 4200]) {
      const rows = 6;
      const z = Float64Array.from({ length: rows * classes }, () => 2 * rng.normal());
      const w = new Float64Array(rows * classes);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let j = 0; j < classes; j++) sum += (w[r * classes + j] = Math.exp(z[r * classes + j]));
        for (let j = 0; j < classes; j++) w[r * classes + j] /= sum;
      }
      const thresholds = Float64Array.from({ length: classes }, () => rng.next());
      for (const s of SETTINGS) check(w, rows, classes, thresholds, s);
    }
  });

  it('thresholds edited in place after a predict are followed by the next one', () => {
    const classes = 12;
    const rows = 30;
    const w = awkwardRows(createRng(4), rows, classes);
    for (const s of SETTINGS) {
      const thresholds = Float64Array.from({ length: classes }, (_, c) => 0.1 + 0.05 * c);
      const pred = predictor(classes, thresholds, s);
      const run = (): number[][] => pred.predict({ data: w, dims: [rows, classes] }, s.randomized ? { rng: createRng(6) } : undefined).sets;
      expect(run()).toEqual(definitionSets(w, rows, classes, pred.thresholds, s, s.randomized ? createRng(6) : undefined));
      pred.thresholds.reverse();
      pred.thresholds[2] = Infinity;
      expect(run()).toEqual(definitionSets(w, rows, classes, pred.thresholds, s, s.randomized ? createRng(6) : undefined));
    }
  });

  it('an rng whose next() predicts with another predictor (re-entrant calls) leaves both results exact', () => {
    const classes = 40;
    const rows = 25;
    const w = awkwardRows(createRng(5), rows, classes);
    const inner = predictor(classes, Float64Array.from({ length: classes }, (_, c) => 0.9 - 0.02 * c), { score: 'aps' });
    const innerSets: number[][][] = [];
    for (const s of SETTINGS.filter((x) => x.randomized)) {
      const thresholds = Float64Array.from({ length: classes }, (_, c) => 0.1 + 0.02 * c);
      const base = createRng(21);
      const meddling = {
        next: (): number => {
          innerSets.push(inner.predict({ data: w, dims: [rows, classes] }).sets);
          return base.next();
        },
      };
      const got = predictor(classes, thresholds, s).predict({ data: w, dims: [rows, classes] }, { rng: meddling });
      expect(got.sets).toEqual(definitionSets(w, rows, classes, thresholds, s, createRng(21)));
    }
    const innerWant = definitionSets(w, rows, classes, inner.thresholds, { score: 'aps' });
    for (const sets of innerSets) expect(sets).toEqual(innerWant);
  });
});
