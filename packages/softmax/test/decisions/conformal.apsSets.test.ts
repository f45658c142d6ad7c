/**
 * The fast APS/RAPS set path (markApsSets: candidate buckets, score bounds, sorted straddling buckets)
 * against the definition: sort each row fully, sum in rank order, threshold every class.
 */
import { describe, expect, it } from 'vitest';
import { markApsSets } from '../../src/decisions/conformal/apsSets.js';
import { parseProbs, parseScoreSpec } from '../../src/decisions/conformal/scores.js';
import { createRng, type Rng } from '../../src/tensor/rng.js';

type Spec = { score: 'aps' | 'raps'; randomized: boolean; lambda?: number; kReg?: number };

/** The definition, written out independently: full sort (ties by lower index), rank-order sums. */
function definitionSets(p: Float32Array | Float64Array, rows: number, classes: number, spec: Spec, thresholds: Float64Array, rng?: Rng): number[][] {
  const lambda = spec.score === 'raps' ? (spec.lambda ?? 0.01) : 0;
  const kReg = spec.kReg ?? 5;
  const sets: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const u = rng ? rng.next() : 1;
    const order = Array.from({ length: classes }, (_, j) => j).sort((a, b) => p[o + b] - p[o + a] || a - b);
    const inSet = new Uint8Array(classes);
    let cum = 0;
    order.forEach((c, k) => {
      let sc = cum + u * p[o + c];
      if (spec.score === 'raps') sc += lambda * Math.max(0, k + 1 - kReg);
      if (sc <= thresholds[c]) inSet[c] = 1;
      cum += p[o + c];
    });
    const set: number[] = [];
    for (let c = 0; c < classes; c++) if (inSet[c]) set.push(c);
    sets.push(set);
  }
  return sets;
}

function fast(p: Float32Array | Float64Array, rows: number, classes: number, spec: Spec, thresholds: Float64Array, rng?: Rng): { sets: number[][]; matrix: Uint8Array; exactRows: number } {
  const pr = parseProbs({ data: p, dims: [rows, classes] }, 'probs');
  const matrix = new Uint8Array(rows * classes);
  const sets: number[][] = [];
  const exactRows = markApsSets(pr, parseScoreSpec(spec), thresholds, rng, matrix, sets);
  return { sets, matrix, exactRows };
}

function softmaxRows(z: Float64Array, rows: number, classes: number, f32: boolean): Float32Array | Float64Array {
  const out = f32 ? new Float32Array(z.length) : new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let m = -Infinity;
    for (let j = 0; j < classes; j++) m = Math.max(m, z[o + j]);
    let s = 0;
    for (let j = 0; j < classes; j++) s += Math.exp(z[o + j] - m);
    for (let j = 0; j < classes; j++) out[o + j] = Math.exp(z[o + j] - m) / s;
  }
  return out;
}

/** Per-class thresholds in the range of the scores (a few +∞ and −∞ when asked). */
function randomThresholds(rng: Rng, classes: number, hi: number, specials: boolean): Float64Array {
  return Float64Array.from({ length: classes }, () => {
    const u = rng.next();
    if (specials && u < 0.05) return Infinity;
    if (specials && u < 0.08) return -Infinity;
    return rng.next() * hi;
  });
}

function matrixSets(matrix: Uint8Array, rows: number, classes: number): number[][] {
  return Array.from({ length: rows }, (_, r) => {
    const set: number[] = [];
    for (let c = 0; c < classes; c++) if (matrix[r * classes + c] === 1) set.push(c);
    return set;
  });
}

const SPECS: Spec[] = [
  { score: 'aps', randomized: false },
  { score: 'aps', randomized: true },
  { score: 'raps', randomized: false },
  { score: 'raps', randomized: true, lambda: 0.05, kReg: 2 },
];

describe('markApsSets equals the full-sort definition', () => {
  for (const classes of [1, 2, 7, 64, 500]) {
    for (const f32 of [true, false]) {
      it(`random rows, ${classes} classes, ${f32 ? 'float32' : 'float64'}, split and per-class thresholds`, () => {
        const rng = createRng(classes * 2 + (f32 ? 1 : 0));
        const rows = classes >= 500 ? 60 : 150;
        const z = Float64Array.from({ length: rows * classes }, () => rng.normal() * (0.5 + 2 * rng.next()));
        const p = softmaxRows(z, rows, classes, f32);
        for (const spec of SPECS) {
          const hi = spec.score === 'raps' ? 1 + (spec.lambda ?? 0.01) * classes * 0.3 : 1;
          const cases = [new Float64Array(classes).fill(rng.next() * hi), randomThresholds(rng, classes, hi, false), randomThresholds(rng, classes, hi, true)];
          for (const thresholds of cases) {
            const seed = rng.nextUint32();
            const got = fast(p, rows, classes, spec, thresholds, spec.randomized ? createRng(seed) : undefined);
            expect(got.sets).toEqual(definitionSets(p, rows, classes, spec, thresholds, spec.randomized ? createRng(seed) : undefined));
            expect(matrixSets(got.matrix, rows, classes)).toEqual(got.sets);
            // The bounds settle random rows: the exact fallback is the exception.
            expect(got.exactRows).toBeLessThanOrEqual(rows / 10);
          }
        }
      });
    }
  }

  it('tie-heavy rows: small integer weights, zeros, uniform and one-hot rows', () => {
    const rng = createRng(41);
    const classes = 90;
    const rows = 240;
    const w = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) {
      const kind = r % 4;
      for (let j = 0; j < classes; j++) {
        const o = r * classes + j;
        if (kind === 0) w[o] = rng.nextInt(4); // 0..3: many exact ties and zeros
        else if (kind === 1) w[o] = 1; // uniform
        else if (kind === 2) w[o] = j === r % classes ? 1 : 0; // one-hot
        else w[o] = 2 ** -rng.nextInt(30); // powers of two across many octaves
      }
      let s = 0;
      for (let j = 0; j < classes; j++) s += w[r * classes + j];
      if (s === 0) w[r * classes] = s = 1;
      for (let j = 0; j < classes; j++) w[r * classes + j] /= s;
    }
    for (const f32 of [true, false]) {
      const p = f32 ? Float32Array.from(w) : Float64Array.from(w);
      for (const spec of SPECS) {
        const hi = spec.score === 'raps' ? 2 : 1;
        for (const thresholds of [new Float64Array(classes).fill(0.5), randomThresholds(rng, classes, hi, true)]) {
          const got = fast(p, rows, classes, spec, thresholds, spec.randomized ? createRng(5) : undefined);
          expect(got.sets).toEqual(definitionSets(p, rows, classes, spec, thresholds, spec.randomized ? createRng(5) : undefined));
        }
      }
    }
  });

  it('a threshold equal to a score (within rounding) takes the exact path and still matches', () => {
    const rng = createRng(77);
    const classes = 40;
    const rows = 50;
    const z = Float64Array.from({ length: rows * classes }, () => rng.normal());
    const p = softmaxRows(z, rows, classes, true);
    const spec: Spec = { score: 'aps', randomized: false };
    // q̂ = the exact rank-order score of class 3 in row 0: a tie at the threshold, decided by ≤.
    const def = definitionSets(p, 1, classes, spec, new Float64Array(classes).fill(Infinity));
    expect(def[0]).toHaveLength(classes);
    const order = Array.from({ length: classes }, (_, j) => j).sort((a, b) => p[b] - p[a] || a - b);
    let cum = 0;
    let q = 0;
    for (const c of order) {
      cum += p[c];
      if (c === 3) q = cum;
    }
    const thresholds = new Float64Array(classes).fill(q);
    const got = fast(p, rows, classes, spec, thresholds);
    expect(got.exactRows).toBeGreaterThanOrEqual(1);
    expect(got.sets[0]).toContain(3);
    expect(got.sets).toEqual(definitionSets(p, rows, classes, spec, thresholds));
  });

  it('all thresholds infinite or all −∞: every class, or none, in every set', () => {
    const p = softmaxRows(Float64Array.from({ length: 30 }, (_, i) => Math.sin(i)), 3, 10, true);
    expect(fast(p, 3, 10, { score: 'aps', randomized: false }, new Float64Array(10).fill(Infinity)).sets).toEqual([0, 1, 2].map(() => Array.from({ length: 10 }, (_, c) => c)));
    expect(fast(p, 3, 10, { score: 'raps', randomized: false }, new Float64Array(10).fill(-Infinity)).sets).toEqual([[], [], []]);
  });
});
