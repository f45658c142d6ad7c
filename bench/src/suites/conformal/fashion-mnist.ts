import { classwiseConformal, clusteredConformal, coverageMetrics, createRng, crossEntropy, matmul, softmax, splitConformal } from 'softmax';
import type { ConformalPredictor, Rng } from 'softmax';
import { fashionMnistDir, loadFashionTest, loadFashionTrain, missingFashionFiles, type ImageSplit } from '../../datasets/fashion-mnist.js';
import type { ConformalMethodName, FashionMnistResult, FashionMnistRow, SetSizeHistogram } from './illustration-types.js';
import { histogramOf, meanStd } from './stats.js';

export { DEFAULT_FASHION_MNIST_DIR, FASHION_FILES, fashionMnistDir, missingFashionFiles } from '../../datasets/fashion-mnist.js';

const CLASSES = 10;
const ALPHA = 0.1;
const METHODS: readonly ConformalMethodName[] = ['standard', 'classwise', 'clustered'];
const SCORES = ['lac', 'aps'] as const;

type Split = ImageSplit;

export interface TrainPlan {
  epochs: number;
  trainRows: number;
  batch: number;
  learningRate: number;
  seed: number;
}

export function trainPlanFor(mode: string): TrainPlan {
  return mode === 'quick' ? { epochs: 2, trainRows: 6000, batch: 100, learningRate: 0.003, seed: 1 } : { epochs: 5, trainRows: 60_000, batch: 100, learningRate: 0.002, seed: 1 };
}

/** Multinomial logistic regression 784 → 10: weights [features, 10] and bias [10], float32. */
export interface SoftmaxRegression {
  w: Float32Array;
  b: Float32Array;
  features: number;
}

function logitsOf(model: SoftmaxRegression, x: Float32Array, rows: number): { data: Float32Array; dims: number[] } {
  const z = matmul({ data: x, dims: [rows, model.features] }, { data: model.w, dims: [model.features, CLASSES] });
  for (let r = 0; r < rows; r++) for (let c = 0; c < CLASSES; c++) z.data[r * CLASSES + c] += model.b[c];
  return z;
}

/**
 * Minibatch Adam (Kingma & Ba 2015; β = 0.9, 0.999, ε = 1e-8) on the mean cross-entropy, with the library's
 * `matmul` for the forward pass and the weight gradient Xᵀ·g, and `crossEntropy.vjp` for g = ∂loss/∂logits.
 * Seeded shuffling; weights start at zero (the problem is convex). Returns the model and the last epoch's mean loss.
 */
export function trainSoftmaxRegression(train: Split, plan: TrainPlan): { model: SoftmaxRegression; loss: number } {
  const { features } = train;
  const rows = Math.min(plan.trainRows, train.rows);
  const model: SoftmaxRegression = { w: new Float32Array(features * CLASSES), b: new Float32Array(CLASSES), features };
  const params = [model.w, model.b];
  const m1 = params.map((p) => new Float32Array(p.length));
  const m2 = params.map((p) => new Float32Array(p.length));
  const rng = createRng(plan.seed);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  const xb = new Float32Array(plan.batch * features);
  const yb = new Int32Array(plan.batch);
  let step = 0;
  let loss = NaN;
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    for (let i = rows - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let lossSum = 0;
    let batches = 0;
    for (let first = 0; first + plan.batch <= rows; first += plan.batch) {
      const bsz = plan.batch;
      for (let r = 0; r < bsz; r++) {
        const src = order[first + r];
        xb.set(train.x.subarray(src * features, (src + 1) * features), r * features);
        yb[r] = train.y[src];
      }
      const z = logitsOf(model, xb, bsz);
      lossSum += crossEntropy(z, yb) as number;
      batches++;
      const g = crossEntropy.vjp(0, 1, { x: z, labels: yb }) as { data: Float32Array; dims: number[] };
      const gw = matmul({ data: xb, dims: [bsz, features] }, g, { transposeA: true }).data;
      const gb = new Float32Array(CLASSES);
      for (let r = 0; r < bsz; r++) for (let c = 0; c < CLASSES; c++) gb[c] += g.data[r * CLASSES + c];
      step++;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      [gw, gb].forEach((grad, k) => {
        const p = params[k];
        const a = m1[k];
        const v = m2[k];
        for (let i = 0; i < p.length; i++) {
          a[i] = 0.9 * a[i] + 0.1 * grad[i];
          v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
          p[i] -= (plan.learningRate * (a[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
        }
      });
    }
    loss = lossSum / batches;
  }
  return { model, loss };
}

export interface FashionMnistOptions {
  mode: string;
  dir?: string;
  onStep?: (label: string) => void;
}

/** Calibration points per class n_avg of the comparison, and seeds (random calibration/test splits). */
export function comparisonPlanFor(mode: string): { nAvg: number[]; seeds: number } {
  return mode === 'quick' ? { nAvg: [20, 100], seeds: 3 } : { nAvg: [20, 100, 500], seeds: 20 };
}

function calibrateWith(method: ConformalMethodName, probs: { data: Float32Array; dims: number[] }, labels: Int32Array, score: 'lac' | 'aps', rng: Rng): ConformalPredictor {
  const opts = { alpha: ALPHA, score, randomized: score === 'aps', rng };
  if (method === 'standard') return splitConformal(probs, labels, opts);
  if (method === 'classwise') return classwiseConformal(probs, labels, opts);
  return clusteredConformal(probs, labels, opts);
}

function rowsOf(data: Float32Array, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * CLASSES);
  idx.forEach((i, r) => out.set(data.subarray(i * CLASSES, (i + 1) * CLASSES), r * CLASSES));
  return out;
}

/**
 * The Fashion-MNIST experiment: train softmax regression with the library, then standard / class-wise /
 * clustered conformal (LAC and randomized APS, α = 0.1) on its test-set softmax outputs, over random
 * calibration/test splits of the 10,000 test images: n_avg·10 calibration rows, the rest held out.
 * Returns `{ available: false, reason }` when the dataset files are not there.
 */
export function runFashionMnist(opts: FashionMnistOptions): FashionMnistResult {
  const dir = opts.dir ?? fashionMnistDir();
  const missing = missingFashionFiles(dir);
  if (missing.length > 0) {
    return { available: false, reason: `Fashion-MNIST not found in ${dir} (missing ${missing.join(', ')}); install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR.` };
  }
  const plan = trainPlanFor(opts.mode);
  opts.onStep?.('load');
  const train = loadFashionTrain(dir, plan.trainRows);
  const test = loadFashionTest(dir);
  opts.onStep?.('train');
  const t0 = performance.now();
  const { model, loss } = trainSoftmaxRegression(train, plan);
  const trainSeconds = (performance.now() - t0) / 1000;
  const probs = softmax(logitsOf(model, test.x, test.rows)) as { data: Float32Array; dims: number[] };
  let correct = 0;
  for (let r = 0; r < test.rows; r++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (probs.data[r * CLASSES + c] > probs.data[r * CLASSES + best]) best = c;
    if (best === test.y[r]) correct++;
  }
  const cmp = comparisonPlanFor(opts.mode);
  const samples = new Map<string, { covGap: number[]; avgSize: number[]; fracUnderCov: number[]; coverage: number[] }>();
  const histograms: SetSizeHistogram[] = [];
  const histogramNAvg = cmp.nAvg[Math.min(1, cmp.nAvg.length - 1)];
  for (let seed = 0; seed < cmp.seeds; seed++) {
    opts.onStep?.(`conformal seed ${seed + 1}`);
    const rng = createRng(7000 + seed);
    const perm = Int32Array.from({ length: test.rows }, (_, i) => i);
    for (let i = test.rows - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (const nAvg of cmp.nAvg) {
      const nCal = Math.min(nAvg * CLASSES, Math.floor(test.rows / 2));
      const calIdx = perm.subarray(0, nCal);
      const heldIdx = perm.subarray(nCal);
      const cal = { data: rowsOf(probs.data, calIdx), dims: [nCal, CLASSES] };
      const held = { data: rowsOf(probs.data, heldIdx), dims: [heldIdx.length, CLASSES] };
      const calY = Int32Array.from(calIdx, (i) => test.y[i]);
      const heldY = Int32Array.from(heldIdx, (i) => test.y[i]);
      for (const score of SCORES) {
        for (const method of METHODS) {
          const { sets } = calibrateWith(method, cal, calY, score, rng).predict(held, { rng });
          const m = coverageMetrics(sets, heldY, { alpha: ALPHA, classes: CLASSES });
          const key = `${nAvg}|${score}|${method}`;
          const s = samples.get(key) ?? { covGap: [], avgSize: [], fracUnderCov: [], coverage: [] };
          s.covGap.push(m.covGap);
          s.avgSize.push(m.avgSize);
          s.fracUnderCov.push(m.fracUnderCov);
          s.coverage.push(m.coverage);
          samples.set(key, s);
          if (seed === 0 && nAvg === histogramNAvg) histograms.push({ method, score, setting: `Fashion-MNIST, n_avg = ${nAvg}, seed 0`, counts: histogramOf(sets, CLASSES) });
        }
      }
    }
  }
  const rows: FashionMnistRow[] = [];
  for (const nAvg of cmp.nAvg) {
    for (const score of SCORES) {
      for (const method of METHODS) {
        const s = samples.get(`${nAvg}|${score}|${method}`)!;
        rows.push({ nAvg, score, method, seeds: cmp.seeds, covGap: meanStd(s.covGap), avgSize: meanStd(s.avgSize), fracUnderCov: meanStd(s.fracUnderCov), coverage: meanStd(s.coverage) });
      }
    }
  }
  return {
    available: true,
    dir,
    model: `multinomial logistic regression ${train.features} → ${CLASSES}, Adam (lr ${plan.learningRate}, batch ${plan.batch}), ${plan.epochs} epoch${plan.epochs === 1 ? '' : 's'} on ${Math.min(plan.trainRows, train.rows).toLocaleString('en-US')} training images`,
    trainSeconds,
    finalLoss: loss,
    testRows: test.rows,
    testAccuracy: correct / test.rows,
    alpha: ALPHA,
    rows,
    histograms,
  };
}
