import * as softmaxLibrary from 'softmax';
import { ourBackendDetails } from '../peers/library-info.js';
import { atLeast, atMost, metric } from '../results/metrics.js';
import type { CaseResult, Metric } from '../results/result-types.js';
import { describeImplementations } from './implementations.js';
import type { Suite } from './suite.js';
import { resultHeader } from './suite.js';
import { characterDemo, normalizerComparison, recallDemo } from './training/demos.js';
import type { DemoRun, TrainingIllustration } from './training/illustration-types.js';
import { MATMUL_BOTH, MATMUL_FORWARD, runMatmulCase } from './training/matmul-case.js';
import type { MatmulImplementation } from './training/matmul-case.js';
import { FULL_SETTINGS_ENV, trainingSettings } from './training/settings.js';
import { OURS_STEP, runStepCase, TFJS_STEP } from './training/step-case.js';

/** The library's `matmul` (with `.vjp`), when this build of softmax exports it. */
function libraryMatmul(): MatmulImplementation | undefined {
  const candidate = (softmaxLibrary as Record<string, unknown>).matmul as MatmulImplementation | undefined;
  return typeof candidate === 'function' && typeof candidate.vjp === 'function' ? candidate : undefined;
}

/** A demonstration as a case without timings: its outcome as metrics (targets only under the full settings). */
function demoCase(id: string, run: DemoRun, metrics: Metric[]): CaseResult {
  return {
    id,
    label: run.title,
    params: { steps: run.steps, seconds: run.seconds, parameters: run.parameters },
    elements: 0,
    baseline: '',
    timings: [],
    metrics,
    validation: [],
  };
}

export const trainingSuite: Suite = {
  id: 'training',
  title: 'training: steps/s, matmul backward, demonstrations',
  description:
    'Optimisation steps per second of a 2-layer, 4-head, d = 64 TransformerLM against the same architecture in TensorFlow.js ' +
    '(tf.variableGrads, AdamW, one thread); float32 matmul forward against forward+backward; and training demonstrations: ' +
    'associative recall, a character-level language model, and five attention normalisers compared.',
  async run({ mode, budget, onProgress }) {
    const startedAt = new Date();
    const settings = trainingSettings(mode);
    const full = settings.name === 'full';
    const notes: string[] = [];
    const cases: CaseResult[] = [];

    const step = await runStepCase(settings, budget, onProgress);
    cases.push(step.result);
    notes.push(...step.notes);

    const matmul = libraryMatmul();
    if (matmul === undefined) {
      notes.push('matmul forward/backward not measured: this build of softmax does not export `matmul`.');
    } else {
      for (const n of settings.matmulSizes) {
        cases.push(await runMatmulCase(matmul, n, { ...budget, budgetMs: Math.min(budget.budgetMs, mode === 'full' ? 8_000 : 3_000) }, onProgress));
      }
    }

    const recall = recallDemo(settings.recall, onProgress);
    // The issue's problem (32 pairs, vocabulary 64) runs in the report and full settings; targets apply to it.
    const issueRecall = settings.name !== 'quick';
    cases.push(
      demoCase('demo:recall', recall, [
        metric('demo:accuracy', 'held-out accuracy', recall.evalAccuracy, 'number', issueRecall ? atLeast(settings.recall.targetAccuracy) : undefined),
        metric('demo:seconds', 'training seconds', recall.seconds, 'number', issueRecall ? atMost(settings.recall.maxSeconds) : undefined),
        ...(recall.baseline ? [metric('demo:baseline-accuracy', 'held-out accuracy without the curriculum', recall.baseline.evalAccuracy, 'number')] : []),
      ]),
    );
    const character = characterDemo(settings.character, onProgress);
    cases.push(
      demoCase('demo:character', character, [
        metric('demo:eval-loss', 'validation loss (nats/char)', character.evalLoss, 'number', full ? atMost(settings.character.targetLoss) : undefined),
        metric('demo:seconds', 'training seconds', character.seconds, 'number'),
      ]),
    );
    const normalizers = normalizerComparison(settings.character, settings.normalizerSteps, onProgress);

    const illustration: TrainingIllustration = {
      kind: 'training',
      settings: settings.name,
      settingsNote:
        settings.name === 'full'
          ? 'Full settings (`npm run bench`, or `npm start` with SOFTMAX_TRAINING=full).'
          : settings.name === 'reduced'
            ? `Reduced settings of the default report (short time caps and step counts); ${FULL_SETTINGS_ENV}=full npm start, or npm run bench, runs the demonstrations as stated.`
            : 'Quick settings (tests): tiny models, a few steps.',
      recall,
      character,
      normalizers,
    };
    const names = [OURS_STEP, TFJS_STEP.wasm, ...(settings.step.tfjsCpu ? [TFJS_STEP.cpu] : []), MATMUL_FORWARD, MATMUL_BOTH];
    const ours = ourBackendDetails();
    const details = new Map([...step.details, [OURS_STEP, ours], [MATMUL_FORWARD, ours], [MATMUL_BOTH, ours]]);
    const packages: Record<string, string> = { [OURS_STEP]: 'softmax', [MATMUL_FORWARD]: 'softmax', [MATMUL_BOTH]: 'softmax', [TFJS_STEP.wasm]: '@tensorflow/tfjs-backend-wasm', [TFJS_STEP.cpu]: '@tensorflow/tfjs-backend-cpu' };
    return {
      ...resultHeader(this, mode, startedAt),
      implementations: describeImplementations(names, packages, step.errors, details),
      cases,
      notes,
      illustration,
    };
  },
};
