import { associativeRecall } from 'softmax';
import type { TokenBatch } from 'softmax';
import { summarizeCase } from '../../harness/compare.js';
import type { MeasureBudget } from '../../harness/budget.js';
import { measureInterleaved } from '../../harness/measure.js';
import type { Contender } from '../../harness/measure.js';
import type { ProgressCallback } from '../../harness/progress.js';
import { activate, wasmThreads } from '../../peers/tfjs.js';
import type { Tf, TfjsBackendName } from '../../peers/tfjs.js';
import { atLeast, metric, speedupMetric } from '../../results/metrics.js';
import type { CaseResult, ValidationCheck } from '../../results/result-types.js';
import type { LanguageModelConfig } from './config.js';
import { ourTrainer } from './ours.js';
import type { OurTrainer } from './ours.js';
import type { TrainingSettings } from './settings.js';
import { loadTfjsForTraining } from './tfjs-gradients.js';
import { TfjsTransformer } from './tfjs-transformer.js';

export const OURS_STEP = 'TransformerLM step (ours)';
export const TFJS_STEP: Record<TfjsBackendName, string> = { wasm: 'tfjs-wasm step (variableGrads)', cpu: 'tfjs-cpu step (variableGrads)' };
/** Same learning rate for both, so both take the same steps from the same initial values. */
const LR = 1e-3;
const DATA_SEED = 11;
const MODEL_SEED = 0;
const BATCHES = 8;
const LOSS_TOLERANCE = 1e-4;
/** Gradients: float32 sums in different orders; relative to the largest gradient entry. */
const GRAD_TOLERANCE = 1e-3;

export interface StepCaseOutcome {
  result: CaseResult;
  /** Errors of implementations that could not run, by name. */
  errors: Map<string, string>;
  details: Map<string, string>;
  notes: string[];
  parameters: number;
}

function recallConfig(s: TrainingSettings['step']): LanguageModelConfig {
  return { vocab: s.vocab, dModel: s.dModel, heads: s.heads, layers: s.layers, maxLength: 3 * s.pairs };
}

/** Our loss and gradients on one batch, by parameter name (the parameters' gradients are cleared afterwards). */
function ourGradients(ours: OurTrainer, batch: TokenBatch): { loss: number; grads: Map<string, Float32Array> } {
  const loss = ours.lossAndBackward(batch);
  const grads = new Map<string, Float32Array>();
  for (const [name, p] of ours.model.namedParameters()) grads.set(name, p.grad === null ? new Float32Array(p.size) : Float32Array.from(p.grad));
  ours.optimizer.zeroGrad();
  return { loss, grads };
}

/** Loss and gradients of ours against the tfjs model's, from the same initial values, on one batch. */
function validate(ours: OurTrainer, tfModel: TfjsTransformer, batch: TokenBatch, name: string): ValidationCheck[] {
  const mine = ourGradients(ours, batch);
  const theirs = tfModel.gradients(batch);
  let largest = 0;
  let diff = 0;
  for (const [param, g] of mine.grads) {
    const h = theirs.grads.get(param);
    if (h === undefined || h.length !== g.length) {
      diff = Infinity;
      continue;
    }
    for (let i = 0; i < g.length; i++) {
      largest = Math.max(largest, Math.abs(g[i]));
      diff = Math.max(diff, Math.abs(g[i] - h[i]));
    }
  }
  const lossDiff = Math.abs(mine.loss - theirs.loss);
  const gradTolerance = GRAD_TOLERANCE * Math.max(largest, 1e-6);
  return [
    { name: `${name}: loss`, against: OURS_STEP, maxAbsDiff: lossDiff, tolerance: LOSS_TOLERANCE, ok: lossDiff <= LOSS_TOLERANCE },
    { name: `${name}: gradients`, against: OURS_STEP, maxAbsDiff: diff, tolerance: gradTolerance, ok: diff <= gradTolerance },
  ];
}

function tfjsDetails(tf: Tf, backend: TfjsBackendName): string {
  if (backend === 'cpu') return '1 thread, JavaScript kernels; tf.variableGrads + AdamW of tf ops';
  const threads = wasmThreads(tf);
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
  return `${threads ?? 'unknown'} thread${threads === 1 ? '' : 's'}, ${simd}; tf.variableGrads + AdamW of tf ops`;
}

/**
 * Optimisation steps per second of the recall transformer: ours against the same architecture in
 * TensorFlow.js (wasm, and cpu when the settings ask), from identical initial values, on the same
 * pre-drawn batches, interleaved. Before timing, the first batch's loss and every gradient are checked
 * against ours.
 */
export async function runStepCase(settings: TrainingSettings, budget: MeasureBudget, onProgress?: ProgressCallback): Promise<StepCaseOutcome> {
  const s = settings.step;
  const config = recallConfig(s);
  const label = `training step · batch ${s.batch} × ${config.maxLength}`;
  const data = associativeRecall({ pairs: s.pairs, vocab: s.vocab, seed: DATA_SEED });
  const batches = Array.from({ length: BATCHES }, () => data.next(s.batch));
  const ours = ourTrainer(config, { seed: MODEL_SEED, lr: LR });
  const initial = new Map([...ours.model.stateDict()].map(([k, v]) => [k, { data: Float32Array.from(v.data), dims: v.dims }]));
  const errors = new Map<string, string>();
  const details = new Map<string, string>();
  const notes: string[] = [];
  const validation: ValidationCheck[] = [];
  const contenders: Contender[] = [];
  let ourNext = 0;
  contenders.push({ name: OURS_STEP, run: () => ours.step(batches[ourNext++ % BATCHES]) });
  const tfModels: TfjsTransformer[] = [];
  const backends: TfjsBackendName[] = s.tfjsCpu ? ['wasm', 'cpu'] : ['wasm'];
  let tf: Tf | undefined;
  try {
    tf = await loadTfjsForTraining();
  } catch (e) {
    for (const b of backends) errors.set(TFJS_STEP[b], `TensorFlow.js failed to load: ${(e as Error).message}`);
  }
  if (tf !== undefined) {
    for (const backend of backends) {
      const name = TFJS_STEP[backend];
      try {
        onProgress?.({ phase: 'validate', done: 0, total: 1, label: `${label} · ${name}` });
        await activate(tf, backend);
        if (backend === 'wasm') {
          const threads = wasmThreads(tf);
          if (threads !== undefined && threads !== 1) throw new Error(`tfjs-wasm runs on ${threads} threads; the comparison is single-threaded`);
        }
        const model = new TfjsTransformer(tf, config, initial, { lr: LR });
        tfModels.push(model);
        validation.push(...validate(ours, model, batches[0], name));
        details.set(name, tfjsDetails(tf, backend));
        let next = 0;
        const t = tf;
        contenders.push({ name, beforeSample: () => activate(t, backend), run: () => model.step(batches[next++ % BATCHES]) });
      } catch (e) {
        errors.set(name, (e as Error).message);
      }
    }
  }
  const stepBudget: MeasureBudget = {
    ...budget,
    budgetMs: s.budgetMs,
    warmupMs: 0,
    minWarmupCalls: 1,
    minRounds: s.minRounds,
    maxRounds: 10_000,
    minSampleMs: 0,
    minSliceMs: 0,
  };
  const timings = await measureInterleaved(contenders, stepBudget, (done, total) => onProgress?.({ phase: 'measure', done, total, label }));
  for (const m of tfModels) m.dispose();
  const tokens = s.batch * config.maxLength;
  const summary = summarizeCase(timings.samplesMs, tokens, OURS_STEP);
  const metrics = summary.map((t) => metric(`steps-per-second:${t.name}`, `${t.name}: steps/s`, 1000 / t.medianMs, 'number'));
  metrics.push(speedupMetric(summary, OURS_STEP, TFJS_STEP.wasm, 'steps/s vs tfjs-wasm', atLeast(2)));
  if (s.tfjsCpu) metrics.push(speedupMetric(summary, OURS_STEP, TFJS_STEP.cpu, 'steps/s vs tfjs-cpu'));
  notes.push(
    `Training step: forward, mean cross-entropy over the ${s.pairs} query positions of each sequence, backward and AdamW (lr ${LR}, decay 0.01), ` +
      `batch ${s.batch} × ${config.maxLength} tokens, on ${BATCHES} pre-drawn batches in turn. Both models start from the same initial values; ` +
      'each step updates the model, so the timed work is training itself.',
    'TensorFlow.js: tfjs-core with the gradients the @tensorflow/tfjs package registers; its token embedding is a one-hot matMul (the wasm backend has ' +
      'no UnsortedSegmentSum kernel, which the gradient of gather needs), about 3% of the step\u2019s multiply-adds at this size.',
  );
  return {
    result: {
      id: 'step',
      label: `step · ${config.layers}L ${config.heads}H d${config.dModel} · ${s.batch}×${config.maxLength}`,
      params: { batch: s.batch, length: config.maxLength, dModel: config.dModel, heads: config.heads, layers: config.layers, vocab: config.vocab, parameters: ours.model.parameterCount() },
      elements: tokens,
      baseline: OURS_STEP,
      timings: summary,
      metrics,
      validation,
    },
    errors,
    details,
    notes,
    parameters: ours.model.parameterCount(),
  };
}
