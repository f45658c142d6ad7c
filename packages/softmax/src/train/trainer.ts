import { fail } from '../tensor/errors.js';
import { noGrad } from './autograd/gradMode.js';
import type { Variable } from './autograd/variable.js';
import { IGNORE, type BatchSource, type TokenBatch, type TokenTensor } from './data/batch.js';
import { isCurriculum } from './data/curriculum.js';
import type { Module } from './modules/module.js';
import { clipGradNorm } from './optim/clip.js';
import type { Optimizer } from './optim/optimizers.js';
import { crossEntropyLoss } from './ops/losses.js';
import { reshape } from './ops/shape.js';

/** A model that maps token ids [batch, length] to logits [batch, length, vocab]. */
export interface SequenceModel extends Module {
  forward(tokens: TokenTensor): Variable;
}

/** One line of the metrics log (also what `progress` receives). */
export interface TrainRecord {
  step: number;
  /** Training loss of this step's batch (mean cross-entropy over scored positions). */
  loss: number;
  /** Learning rate used at this step. */
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Scored tokens per second over the run so far. */
  tokensPerSecond: number;
  /** Seconds since the start. */
  elapsed: number;
  /** Estimated seconds to finish. */
  eta: number;
  /** Present on evaluation steps. */
  evalLoss?: number;
  evalAccuracy?: number;
  /** With a curriculum: the stage this step trained on (0-based). */
  stage?: number;
  /** With a curriculum, on evaluation steps: accuracy on the current stage's held-out data. */
  stageAccuracy?: number;
}

export interface TrainOptions {
  model: SequenceModel;
  /** Training batches: a task, or a `curriculum([...])` of stages (advanced on evaluation steps). */
  data: BatchSource;
  optimizer: Optimizer;
  steps: number;
  batchSize: number;
  /** Evaluate every this many steps and at the end (default: only at the end). */
  evalEvery?: number;
  /** Held-out batches for evaluation (default: fresh batches from `data`; a curriculum's last stage). */
  evalData?: BatchSource;
  /** Batches per evaluation (default 4). */
  evalBatches?: number;
  /** Global gradient-norm clip (default none). */
  clipNorm?: number;
  /** Called after every step with its record and a one-line human summary. */
  progress?: (record: TrainRecord, line: string) => void;
  /** Receives every record as one JSON line (a metrics log the report can plot). */
  log?: (jsonLine: string) => void;
  /** Stop early when an evaluation reaches this accuracy. */
  targetAccuracy?: number;
}

export interface TrainResult {
  history: TrainRecord[];
  finalLoss: number;
  evalLoss: number;
  evalAccuracy: number;
  steps: number;
  seconds: number;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function scoredCount(batch: TokenBatch): number {
  let n = 0;
  for (const t of batch.targets.data) if (t !== IGNORE) n++;
  return n;
}

/** Mean loss and accuracy (argmax = target over scored positions) of a model on a few batches, without recording. */
export function evaluate(model: SequenceModel, data: BatchSource, batches: number, batchSize: number): { loss: number; accuracy: number } {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let lossSum = 0;
      let correct = 0;
      let scored = 0;
      for (let b = 0; b < batches; b++) {
        const batch = data.next(batchSize);
        const logits = model.forward(batch.inputs);
        const vocab = logits.dims[logits.dims.length - 1];
        const count = scoredCount(batch);
        lossSum += crossEntropyLoss(reshape(logits, [-1, vocab]), batch.targets.data, { reduction: 'sum' }).item();
        batch.targets.data.forEach((t, i) => {
          if (t === IGNORE) return;
          let best = 0;
          for (let c = 1; c < vocab; c++) if (logits.data[i * vocab + c] > logits.data[i * vocab + best]) best = c;
          if (best === t) correct++;
        });
        scored += count;
      }
      return { loss: lossSum / scored, accuracy: correct / scored };
    });
  } finally {
    model.train(wasTraining);
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${Math.round(s - 60 * m).toString().padStart(2, '0')}s` : `${s.toFixed(1)}s`;
}

/**
 * Trains a sequence model with next-token cross-entropy: per step, draw a batch, forward, loss,
 * backward, optional global-norm clipping, optimiser step. Deterministic given seeded data, model
 * initialisation and dropout generators. Reports every step to `progress` (loss, tokens/s, ETA) and
 * `log` (JSON lines), evaluates every `evalEvery` steps and at the end. With a `curriculum` as `data`,
 * each evaluation also scores the current stage and advances when it reaches the stage's `advanceAt`;
 * `evalAccuracy` and `targetAccuracy` always refer to `evalData` (default: the last stage).
 */
export function train(options: TrainOptions): TrainResult {
  const { model, data, optimizer, batchSize } = options;
  const steps = options.steps;
  if (!Number.isInteger(steps) || steps < 0) fail('E_PARAM', 'steps', 'an integer ≥ 0', steps);
  if (!Number.isInteger(batchSize) || batchSize < 1) fail('E_PARAM', 'batchSize', 'an integer ≥ 1', batchSize);
  const evalEvery = options.evalEvery ?? 0;
  const stages = isCurriculum(data) ? data : null;
  const evalData = options.evalData ?? (stages ? stages.finalEvalData : data);
  const evalBatches = options.evalBatches ?? 4;
  const params = model.parameters();
  const history: TrainRecord[] = [];
  const start = now();
  let tokens = 0;
  let finalLoss = NaN;
  let lastEval = { loss: NaN, accuracy: NaN };
  let step = 0;
  model.train();
  while (step < steps) {
    const stage = stages?.stage;
    const batch = data.next(batchSize);
    const lr = optimizer.learningRate();
    optimizer.zeroGrad();
    const logits = model.forward(batch.inputs);
    const vocab = logits.dims[logits.dims.length - 1];
    const loss = crossEntropyLoss(reshape(logits, [-1, vocab]), batch.targets.data);
    loss.backward();
    const gradNorm = options.clipNorm === undefined ? clipGradNorm(params, Infinity) : clipGradNorm(params, options.clipNorm);
    optimizer.step();
    step++;
    tokens += scoredCount(batch);
    finalLoss = loss.item();
    const elapsed = (now() - start) / 1000;
    const record: TrainRecord = {
      step,
      loss: finalLoss,
      lr,
      gradNorm,
      tokensPerSecond: tokens / Math.max(elapsed, 1e-9),
      elapsed,
      eta: (elapsed / step) * (steps - step),
    };
    if (stages) record.stage = stage;
    const isEval = (evalEvery > 0 && step % evalEvery === 0) || step === steps;
    if (isEval) {
      lastEval = evaluate(model, evalData, evalBatches, batchSize);
      record.evalLoss = lastEval.loss;
      record.evalAccuracy = lastEval.accuracy;
      if (stages) {
        const own = stages.stageEvalData;
        record.stageAccuracy = own === evalData ? lastEval.accuracy : evaluate(model, own, evalBatches, batchSize).accuracy;
        stages.observe(record.stageAccuracy);
      }
    }
    history.push(record);
    options.log?.(JSON.stringify(record));
    if (options.progress) {
      const stageText = stages ? ` · stage ${(stage ?? 0) + 1}/${stages.stageCount}` : '';
      const stageEval = record.stageAccuracy !== undefined && record.stageAccuracy !== lastEval.accuracy ? ` (stage ${(100 * record.stageAccuracy).toFixed(1)}%)` : '';
      const evalText = isEval ? ` · eval loss ${lastEval.loss.toFixed(4)} acc ${(100 * lastEval.accuracy).toFixed(1)}%${stageEval}` : '';
      options.progress(record, `step ${step}/${steps}${stageText} · loss ${finalLoss.toFixed(4)} · ${Math.round(record.tokensPerSecond)} tok/s · ETA ${formatSeconds(record.eta)}${evalText}`);
    }
    if (isEval && options.targetAccuracy !== undefined && lastEval.accuracy >= options.targetAccuracy) break;
  }
  return { history, finalLoss, evalLoss: lastEval.loss, evalAccuracy: lastEval.accuracy, steps: step, seconds: (now() - start) / 1000 };
}
