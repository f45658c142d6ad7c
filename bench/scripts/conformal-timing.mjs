#!/usr/bin/env node
// Times split and clustered conformal calibration (1000 classes × 50 calibration points) and prediction for
// 100,000 test rows, LAC and APS scores, on synthetic softmax outputs with class-dependent difficulty.
// After the timings, the sets of the first CHECK_ROWS rows of each prediction are compared with the
// definition, {y : s(x, y) ≤ q̂_y} thresholding conformalScores; the script fails if any differs.
// Usage (after npm run build): node --max-old-space-size=8000 bench/scripts/conformal-timing.mjs
// SOFTMAX_ENTRY=/path/to/index.js times another build of the library (default: the package 'softmax').
const { clusteredConformal, splitConformal, conformalScores, createRng, softmax } = await import(process.env.SOFTMAX_ENTRY ?? 'softmax');

const CLASSES = 1000;
const PER_CLASS = 50;
const TEST_ROWS = 100_000;
const CHECK_ROWS = 2000;
const rng = createRng(7);

function synthetic(rows) {
  const z = new Float32Array(rows * CLASSES);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = r % CLASSES;
    y[r] = c;
    for (let j = 0; j < CLASSES; j++) z[r * CLASSES + j] = rng.normal();
    z[r * CLASSES + c] += 2 + (c % 10) * 0.3;
  }
  return { probs: softmax({ data: z, dims: [rows, CLASSES] }), labels: y };
}

const calib = synthetic(CLASSES * PER_CLASS);
const test = synthetic(TEST_ROWS);
const head = { data: test.probs.data.subarray(0, CHECK_ROWS * CLASSES), dims: [CHECK_ROWS, CLASSES] };

/** Rows (of the first CHECK_ROWS) whose set differs from the definition. */
function mismatches(sets, score, thresholds) {
  const s = conformalScores(head, { score });
  let bad = 0;
  for (let r = 0; r < CHECK_ROWS; r++) {
    const want = [];
    for (let c = 0; c < CLASSES; c++) if (s[r * CLASSES + c] <= thresholds[c]) want.push(c);
    if (want.length !== sets[r].length || want.some((c, i) => sets[r][i] !== c)) bad++;
  }
  return bad;
}

const checks = [];
for (const [method, calibrate] of [['split', splitConformal], ['clustered', clusteredConformal]]) {
  for (const score of ['lac', 'aps']) {
    let t0 = performance.now();
    const predictor = calibrate(calib.probs, calib.labels, { alpha: 0.1, score, seed: 1 });
    const calibrateS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const { sets } = predictor.predict(test.probs);
    const predictS = (performance.now() - t0) / 1000;
    const avg = sets.reduce((a, s) => a + s.length, 0) / TEST_ROWS;
    console.log(`${method} ${score}: calibrate ${CLASSES}×${PER_CLASS} in ${calibrateS.toFixed(2)} s; predict ${TEST_ROWS} rows in ${predictS.toFixed(2)} s (mean set size ${avg.toFixed(1)})`);
    checks.push({ name: `${method} ${score}`, score, thresholds: predictor.thresholds, sets: sets.slice(0, CHECK_ROWS) });
  }
}
for (const { name, score, thresholds, sets } of checks) {
  const bad = mismatches(sets, score, thresholds);
  if (bad > 0) throw new Error(`${name}: ${bad} of the first ${CHECK_ROWS} sets differ from thresholding conformalScores`);
}
console.log(`sets of the first ${CHECK_ROWS} rows equal thresholding conformalScores in all four cases`);
