import { describe, expect, it } from 'vitest';
import { conformalScores, createRng, softmax, splitConformal, classwiseConformal } from '../../src/index.js';

/** Sets by thresholding the full score matrix: the definition predict's prefix scan must reproduce. */
function setsByDefinition(scores: Float64Array, rows: number, classes: number, thresholds: Float64Array): number[][] {
  const sets: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const set: number[] = [];
    for (let c = 0; c < classes; c++) if (scores[r * classes + c] <= thresholds[c]) set.push(c);
    sets.push(set);
  }
  return sets;
}

describe('APS/RAPS prediction ranks only the prefix that can enter a set', () => {
  for (const classes of [7, 300]) {
    for (const score of ['aps', 'raps'] as const) {
      for (const randomized of [false, true]) {
        it(`${score}${randomized ? ' randomized' : ''}, ${classes} classes (float32 and float64 probabilities)`, () => {
          const rng = createRng(classes + (randomized ? 1 : 0));
          const rows = 400;
          const z = Float32Array.from({ length: rows * classes }, () => rng.normal() * 2);
          // Float32 probabilities take the packed-key path; float64 ones the comparator path.
          for (const probs of [softmax({ data: z, dims: [rows, classes] }), softmax({ data: Float64Array.from(z), dims: [rows, classes] })]) {
            const labels = Int32Array.from({ length: rows }, (_, r) => r % classes);
            for (const make of [splitConformal, classwiseConformal]) {
              const predictor = make(probs, labels, { alpha: 0.2, score, randomized, seed: 3 });
              const got = predictor.predict(probs, { rng: createRng(9) });
              const all = conformalScores(probs, { score, randomized, rng: createRng(9) });
              expect(got.sets).toEqual(setsByDefinition(all, rows, classes, predictor.thresholds));
            }
          }
        });
      }
    }
  }
});
