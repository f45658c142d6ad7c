#!/usr/bin/env node
// Times split and clustered conformal calibration (1000 classes × 50 calibration points) and prediction for
// 100,000 test rows, LAC and APS scores, on synthetic softmax outputs with class-dependent difficulty.
// Usage (after npm run build): node --max-old-space-size=8000 bench/scripts/conformal-timing.mjs
// SOFTMAX_ENTRY=/path/to/index.js times another build of the library (default: the package 'softmax').
const { clusteredConformal, splitConformal, createRng, softmax } = await import(process.env.SOFTMAX_ENTRY ?? 'softmax');

const CLASSES = 1000;
const PER_CLASS = 50;
const TEST_ROWS = 100_000;
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
  }
}
