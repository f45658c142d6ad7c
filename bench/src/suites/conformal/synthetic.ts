import { createRng, softmax } from 'softmax';
import type { Rng } from 'softmax';

/** Softmax probabilities of `rows` points over `classes` classes, row-major, with their labels. */
export interface SyntheticSet {
  probs: { data: Float32Array; dims: readonly number[] };
  labels: Int32Array;
}

/**
 * The generator of bench/scripts/conformal-timing.mjs: logits N(0, 1), the true class (row r has label
 * r mod classes) raised by 2 + 0.3·(c mod 10). `rng` carries on across calls (calibration, then test chunks).
 */
export function timingSet(rng: Rng, rows: number, classes: number, firstRow = 0): SyntheticSet {
  const z = new Float32Array(rows * classes);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = (firstRow + r) % classes;
    y[r] = c;
    const o = r * classes;
    for (let j = 0; j < classes; j++) z[o + j] = rng.normal();
    z[o + c] += 2 + (c % 10) * 0.3;
  }
  return { probs: softmax({ data: z, dims: [rows, classes] }), labels: y };
}

/**
 * Class difficulty of the reproduction generator: classes fall into DIFFICULTY_GROUPS groups
 * (c mod groups), group g raising the true logit by MARGINS[g]. Hard classes (small margin) need a
 * large conformal threshold, easy ones a small one, so class score distributions differ and cluster.
 */
export const MARGINS: readonly number[] = [1, 2, 3, 4, 5];
export const LOGIT_SCALE = 1.5;

export function marginOf(c: number): number {
  return MARGINS[c % MARGINS.length];
}

export const GENERATOR_DESCRIPTION =
  `logits = ${LOGIT_SCALE}·(ε + m_c·e_y), ε ~ N(0, I); m_c = ${MARGINS.join(', ')} for the class groups c mod ${MARGINS.length}; probabilities = softmax(logits)`;

/**
 * The reproduction generator: classes × perClass points, logits LOGIT_SCALE·(N(0, 1) + margin_c at the
 * true class), deterministic under `seed`. Balanced: exactly `perClass` points of every class (labels
 * cycle 0, 1, …); otherwise every label is drawn uniformly at random, so class counts vary around
 * `perClass` as in the paper's random calibration split (some classes get very few points).
 */
export function difficultySet(seed: number, classes: number, perClass: number, balanced = true): SyntheticSet {
  const rng = createRng(seed);
  const rows = classes * perClass;
  const z = new Float32Array(rows * classes);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = balanced ? r % classes : Math.min(classes - 1, Math.floor(rng.next() * classes));
    y[r] = c;
    const o = r * classes;
    for (let j = 0; j < classes; j++) z[o + j] = LOGIT_SCALE * rng.normal();
    z[o + c] += LOGIT_SCALE * marginOf(c);
  }
  return { probs: softmax({ data: z, dims: [rows, classes] }), labels: y };
}
