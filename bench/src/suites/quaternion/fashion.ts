import { AdamW, autograd, clipGradNorm, cosineSchedule, createRng, noGrad, Variable } from 'softmax';
import type { BenchMode } from '../../harness/budget.js';
import { FASHION_CLASSES, fashionMnistDir, loadFashionTest, loadFashionTrain, missingFashionFiles } from '../../datasets/fashion-mnist.js';
import type { QualityRow, Variant } from './illustration-types.js';
import { QuaternionPatchClassifier, toPatches } from './patch-classifier.js';
import { meanStd } from './quality.js';

const SIDE = 28;
const PATCH = 7;
const PATCHES = (SIDE / PATCH) ** 2;

/** The classifier's width and depth (same for both variants). */
export const FASHION_MODEL = { dModel: 32, heads: 2, layers: 2, mlpHidden: 64 } as const;

export interface FashionPlan {
  trainRows: number;
  testRows: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  seeds: number;
}

/** Report mode fits in about a minute for both variants × 3 seeds; full mode trains 5× longer on more data. */
export function fashionPlanFor(mode: BenchMode): FashionPlan {
  if (mode === 'quick') return { trainRows: 256, testRows: 128, steps: 3, batchSize: 16, learningRate: 3e-3, seeds: 3 };
  if (mode === 'report') return { trainRows: 6000, testRows: 2000, steps: 150, batchSize: 32, learningRate: 1e-2, seeds: 3 };
  return { trainRows: 60_000, testRows: 10_000, steps: 750, batchSize: 64, learningRate: 3e-3, seeds: 3 };
}

export type FashionOutcome =
  | { available: false; reason: string }
  | { available: true; rows: QualityRow[]; plan: FashionPlan; task: string; description: string };

interface PatchData {
  x: Float32Array;
  y: Int32Array;
  rows: number;
}

function patchData(split: { x: Float32Array; y: Int32Array; rows: number; imageDims: number[] }): PatchData {
  if (split.imageDims[0] !== SIDE || split.imageDims[1] !== SIDE) throw new Error(`Fashion-MNIST: expected ${SIDE}×${SIDE} images, got ${split.imageDims.join('×')}`);
  return { x: toPatches(split.x, split.rows, SIDE, PATCH), y: split.y, rows: split.rows };
}

const PER = PATCH * PATCH;

function batchOf(data: PatchData, indices: ArrayLike<number>): { x: Variable; y: Int32Array } {
  const n = indices.length;
  const x = new Float32Array(n * PATCHES * PER);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = indices[r];
    x.set(data.x.subarray(i * PATCHES * PER, (i + 1) * PATCHES * PER), r * PATCHES * PER);
    y[r] = data.y[i];
  }
  return { x: new Variable(x, [n, PATCHES, PER]), y };
}

/** Test accuracy (argmax = label) over all of `data`, in chunks, without recording. */
function accuracyOf(model: QuaternionPatchClassifier, data: PatchData, chunk = 250): { accuracy: number; loss: number } {
  model.eval();
  return noGrad(() => {
    let correct = 0;
    let lossSum = 0;
    for (let first = 0; first < data.rows; first += chunk) {
      const idx = Int32Array.from({ length: Math.min(chunk, data.rows - first) }, (_, r) => first + r);
      const { x, y } = batchOf(data, idx);
      const logits = model.forward(x);
      lossSum += autograd.crossEntropy(logits, y, { reduction: 'sum' }).item();
      for (let r = 0; r < idx.length; r++) {
        let best = 0;
        for (let c = 1; c < FASHION_CLASSES; c++) if (logits.data[r * FASHION_CLASSES + c] > logits.data[r * FASHION_CLASSES + best]) best = c;
        if (best === y[r]) correct++;
      }
    }
    return { accuracy: correct / data.rows, loss: lossSum / data.rows };
  });
}

/**
 * Trains the patch classifier (one seed, one variant) with minibatch AdamW on the mean cross-entropy
 * (`autograd.crossEntropy`), cosine decay with 10 % warm-up, gradient clip 1, batches drawn uniformly
 * with replacement from the training rows by a generator seeded with `seed`. Returns test loss,
 * accuracy and ms per training step.
 */
export function trainPatchClassifier(train: PatchData, test: PatchData, variant: Variant, seed: number, plan: FashionPlan): { accuracy: number; loss: number; msPerStep: number } {
  const model = new QuaternionPatchClassifier({ patchSize: PER, patches: PATCHES, classes: FASHION_CLASSES, ...FASHION_MODEL, variant, seed });
  const params = model.parameters();
  const optimizer = new AdamW(params, { lr: cosineSchedule({ rate: plan.learningRate, steps: plan.steps, warmup: Math.max(1, Math.round(plan.steps / 10)) }), weightDecay: 0.01 });
  const rng = createRng(1000 + seed);
  const idx = new Int32Array(plan.batchSize);
  model.train();
  const t0 = performance.now();
  for (let step = 0; step < plan.steps; step++) {
    for (let r = 0; r < plan.batchSize; r++) idx[r] = rng.nextInt(train.rows);
    const { x, y } = batchOf(train, idx);
    optimizer.zeroGrad();
    autograd.crossEntropy(model.forward(x), y).backward();
    clipGradNorm(params, 1);
    optimizer.step();
  }
  const msPerStep = (performance.now() - t0) / Math.max(1, plan.steps);
  return { ...accuracyOf(model, test), msPerStep };
}

/**
 * Fashion-MNIST as a patch sequence: 28×28 images → 16 patches of 7×7 (49 values) → the quaternion
 * patch classifier, trained with each attention variant for `plan.seeds` seeds (model init and batch
 * order) on the first `trainRows` training images, evaluated on the first `testRows` test images.
 * `{ available: false, reason }` when the dataset is not installed.
 */
export function runFashionQuality(mode: BenchMode, variants: readonly Variant[], onStep: (label: string) => void, dir = fashionMnistDir()): FashionOutcome {
  const missing = missingFashionFiles(dir);
  if (missing.length > 0) return { available: false, reason: `Fashion-MNIST not found in ${dir} (missing ${missing.join(', ')}); install Debian's dataset-fashion-mnist or set FASHION_MNIST_DIR.` };
  const plan = fashionPlanFor(mode);
  onStep('Fashion-MNIST · load');
  const train = patchData(loadFashionTrain(dir, plan.trainRows));
  const test = patchData(loadFashionTest(dir, plan.testRows));
  const task = `Fashion-MNIST, 16 patches of 7×7 (${train.rows.toLocaleString('en-US')} train / ${test.rows.toLocaleString('en-US')} test images)`;
  const rows: QualityRow[] = [];
  for (const variant of variants) {
    const runs: { accuracy: number; loss: number; msPerStep: number }[] = [];
    for (let seed = 0; seed < plan.seeds; seed++) {
      onStep(`Fashion-MNIST · ${variant} · seed ${seed}`);
      runs.push(trainPatchClassifier(train, test, variant, seed, plan));
    }
    rows.push({
      task,
      variant,
      seeds: plan.seeds,
      steps: plan.steps,
      evalLoss: meanStd(runs.map((r) => r.loss)),
      evalAccuracy: meanStd(runs.map((r) => r.accuracy)),
      msPerStep: meanStd(runs.map((r) => r.msPerStep)),
    });
  }
  const m = FASHION_MODEL;
  const description =
    `Fashion-MNIST (${dir}): 28×28 images cut into 16 patches of 7×7 pixels (values / 255), a sequence of 16 tokens of 49 values; ` +
    `quaternion patch classifier: real linear patch embedding 49 → ${m.dModel}, learned positions, ${m.layers} non-causal quaternion blocks ` +
    `(d_model ${m.dModel}, ${m.heads} heads, MLP ${m.mlpHidden}, quaternion RMSNorm on Q and K), final quaternion RMSNorm, mean-pool, real read-out to 10 classes; ` +
    `AdamW (lr ${plan.learningRate}, cosine, 10 % warm-up, weight decay 0.01), clip 1, batch ${plan.batchSize}, ${plan.steps} steps (≈ ${((plan.steps * plan.batchSize) / train.rows).toFixed(1)} epochs of ` +
    `${train.rows.toLocaleString('en-US')} training images); test accuracy on the first ${test.rows.toLocaleString('en-US')} test images; ${plan.seeds} seeds (init and batch order).`;
  return { available: true, rows, plan, task, description };
}
