import { beforeAll, describe, expect, it } from 'vitest';
import { matmul } from '../../packages/softmax/src/ops/matmul.js';
import { associativeRecall } from '../../packages/softmax/src/train/data/tasks.js';
import { budgetFor } from '../src/harness/budget.js';
import { activate } from '../src/peers/tfjs.js';
import { trainingSection, trainingIllustration } from '../src/report/sections/training-section.js';
import { renderReport } from '../src/report/write-report.js';
import type { SuiteResult } from '../src/results/result-types.js';
import { trainingSuite } from '../src/suites/training-suite.js';
import { parameterCountOf } from '../src/suites/training/config.js';
import type { LanguageModelConfig } from '../src/suites/training/config.js';
import { loadCorpus } from '../src/suites/training/corpus.js';
import { thinCurve } from '../src/suites/training/demos.js';
import { MATMUL_BOTH, MATMUL_FORWARD, runMatmulCase } from '../src/suites/training/matmul-case.js';
import type { MatmulImplementation } from '../src/suites/training/matmul-case.js';
import { ourTrainer } from '../src/suites/training/ours.js';
import { trainingSettings } from '../src/suites/training/settings.js';
import { OURS_STEP, TFJS_STEP } from '../src/suites/training/step-case.js';
import { loadTfjsForTraining } from '../src/suites/training/tfjs-gradients.js';
import { TfjsTransformer } from '../src/suites/training/tfjs-transformer.js';

const TINY: LanguageModelConfig = { vocab: 16, dModel: 16, heads: 2, layers: 2, maxLength: 12 };

describe('training suite, quick run', () => {
  let result: SuiteResult;

  beforeAll(async () => {
    result = await trainingSuite.run({ mode: 'quick', budget: budgetFor('quick') });
  });

  it('times our step against tfjs (wasm and cpu) after checking their loss and gradients agree', () => {
    const step = result.cases.find((c) => c.id === 'step')!;
    expect(result.implementations.filter((i) => i.error !== undefined)).toEqual([]);
    expect(step.timings.map((t) => t.name)).toEqual([OURS_STEP, TFJS_STEP.wasm, TFJS_STEP.cpu]);
    for (const t of step.timings) expect(t.medianMs).toBeGreaterThan(0);
    expect(step.validation.map((v) => v.name)).toEqual([`${TFJS_STEP.wasm}: loss`, `${TFJS_STEP.wasm}: gradients`, `${TFJS_STEP.cpu}: loss`, `${TFJS_STEP.cpu}: gradients`]);
    for (const v of step.validation) expect(v.ok, v.name).toBe(true);
    const ratio = step.metrics.find((m) => m.id === `speedup:${OURS_STEP}:${TFJS_STEP.wasm}`)!;
    const ours = step.timings.find((t) => t.name === OURS_STEP)!;
    const wasm = step.timings.find((t) => t.name === TFJS_STEP.wasm)!;
    expect(ratio.value).toBeCloseTo(wasm.medianMs / ours.medianMs, 9);
    expect(ratio.target).toEqual({ op: '>=', value: 2 });
    expect(step.elements).toBe(step.params.batch * step.params.length);
  });

  it('runs the three demonstrations with the quick settings and records their curves', () => {
    const ill = trainingIllustration(result)!;
    expect(ill.settings).toBe('quick');
    const s = trainingSettings('quick');
    expect(ill.recall.steps).toBe(s.recall.maxSteps);
    expect(ill.recall.curve.filter((p) => p.evalAccuracy !== undefined).map((p) => p.step)).toEqual([3, 6]);
    expect(ill.recall.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const p of ill.recall.curve) expect(Number.isFinite(p.loss)).toBe(true);
    expect(ill.recall.evalAccuracy).toBeGreaterThanOrEqual(0);
    expect(ill.recall.evalAccuracy).toBeLessThanOrEqual(1);
    // The quick curriculum: 2 pairs, then 4; the first stage starts at step 1; the comparison run without it.
    expect(ill.recall.stagePairs).toEqual([2, 4]);
    expect(ill.recall.stageStarts![0]).toBe(1);
    expect(ill.recall.curve[0].stage).toBe(0);
    expect(ill.recall.baseline!.steps).toBe(s.recall.maxSteps);
    expect(ill.character.corpus.characters).toBe(s.character.maxCharacters);
    expect(ill.character.samples.map((x) => x.method)).toEqual(['greedy', 'temperature 0.8']);
    for (const x of ill.character.samples) expect([...x.text].length).toBe(s.character.sampleCharacters);
    expect(ill.normalizers.map((r) => r.name)).toEqual(['softmax', 'sparsemax', 'entmax-1.5', 'sigmoid', 'gated softmax']);
    for (const r of ill.normalizers) {
      expect(r.steps).toBe(s.normalizerSteps);
      expect(Number.isFinite(r.finalLoss) && Number.isFinite(r.evalLoss)).toBe(true);
    }
    // Different attention maps give different losses from the same start.
    expect(new Set(ill.normalizers.map((r) => r.finalLoss)).size).toBe(5);
  });

  it('renders its section with the speed table, curves, samples and normaliser table', () => {
    const html = trainingSection.render(result);
    expect(html).toContain('Training steps per second');
    expect(html).toContain(TFJS_STEP.wasm);
    expect(html).toContain('<svg');
    expect(html).toContain('Associative recall');
    expect(html).toContain('Curriculum (curriculum()');
    expect(html).toContain('Without the curriculum');
    expect(html).toContain('This License ');
    expect(html).toContain('Attention normalisers compared');
    expect(html).toContain('entmax-1.5');
    const page = renderReport([result], [trainingSection]);
    expect(page).toContain('id="training"');
    // Without the illustration (an older results file), the timings still render.
    const bare = trainingSection.render({ ...result, illustration: undefined });
    expect(bare).toContain('Training steps per second');
    expect(bare).not.toContain('<h3>Associative recall');
  });
});

describe('TensorFlow.js transformer', () => {
  it('has the same parameter count as our TransformerLM at the demonstration size', async () => {
    const tf = await loadTfjsForTraining();
    await activate(tf, 'cpu');
    const config: LanguageModelConfig = { vocab: 64, dModel: 64, heads: 4, layers: 2, maxLength: 96 };
    const ours = ourTrainer(config, { seed: 0, lr: 1e-3 });
    const theirs = new TfjsTransformer(tf, config, ours.model.stateDict(), { lr: 1e-3 });
    try {
      expect(theirs.parameterCount()).toBe(ours.model.parameterCount());
      expect(parameterCountOf(config)).toBe(ours.model.parameterCount());
      expect(ours.model.parameterCount()).toBe(113_920);
    } finally {
      theirs.dispose();
    }
  });

  it('trains along the same finite, falling loss curve as ours on a tiny config, without leaking tensors', async () => {
    const tf = await loadTfjsForTraining();
    await activate(tf, 'wasm');
    const data = associativeRecall({ pairs: 4, vocab: TINY.vocab, seed: 5 });
    const batch = data.next(4);
    const ours = ourTrainer(TINY, { seed: 3, lr: 1e-2 });
    const theirs = new TfjsTransformer(tf, TINY, ours.model.stateDict(), { lr: 1e-2 });
    try {
      theirs.step(batch);
      const before = tf.memory().numTensors;
      const a: number[] = [];
      const b: number[] = [ours.step(batch)];
      for (let i = 0; i < 14; i++) {
        a.push(ours.step(batch));
        b.push(theirs.step(batch));
      }
      expect(tf.memory().numTensors).toBe(before);
      for (const x of [...a, ...b]) expect(Number.isFinite(x)).toBe(true);
      // Fitting one batch: the loss falls.
      expect(a[a.length - 1]).toBeLessThan(0.7 * a[0]);
      expect(b[b.length - 1]).toBeLessThan(0.7 * b[0]);
      // Same start, data and optimiser: the two curves agree step by step (float32 sums in different orders).
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i + 1])).toBeLessThan(2e-3 * Math.max(1, a[i]));
    } finally {
      theirs.dispose();
    }
  });
});

describe('training suite pieces', () => {
  it('measures matmul forward and forward+backward, checked against float64 sums', async () => {
    const c = await runMatmulCase(matmul as unknown as MatmulImplementation, 24, budgetFor('quick'));
    expect(c.timings.map((t) => t.name)).toEqual([MATMUL_FORWARD, MATMUL_BOTH]);
    for (const v of c.validation) expect(v.ok, v.name).toBe(true);
    expect(c.validation).toHaveLength(3);
    const [forward, both] = c.timings;
    expect(c.metrics.find((m) => m.id === 'gflops:forward')!.value).toBeCloseTo((2 * 24 ** 3) / (forward.medianMs * 1e6), 9);
    expect(c.metrics.find((m) => m.id === 'gflops:forward+backward')!.value).toBeCloseTo((6 * 24 ** 3) / (both.medianMs * 1e6), 9);
  });

  it('selects reduced settings for the report, full ones on request, and states the issue’s demonstration', () => {
    expect(trainingSettings('report', {}).name).toBe('reduced');
    expect(trainingSettings('report', { SOFTMAX_TRAINING: 'full' }).name).toBe('full');
    const full = trainingSettings('full', {});
    expect(full.recall).toMatchObject({ layers: 2, heads: 4, dModel: 64, pairs: 32, vocab: 64, targetAccuracy: 0.99, maxSeconds: 300, baseline: true });
    expect(trainingSettings('report', {}).recall).toMatchObject({ pairs: 32, vocab: 64, targetAccuracy: 0.99, maxSeconds: 300, baseline: false });
    expect(full.matmulSizes).toEqual([256, 512, 1024]);
  });

  it('finds a few hundred KB of text offline', () => {
    const corpus = loadCorpus();
    expect(corpus.info.characters).toBe(corpus.text.length);
    expect(corpus.text.length).toBeGreaterThan(150_000);
    expect(corpus.info.files.length).toBeGreaterThan(1);
    expect(corpus.text).not.toMatch(/\r|\t/);
  });

  it('thins a long curve but keeps every evaluation point', () => {
    const records = Array.from({ length: 2000 }, (_, i) => ({
      step: i + 1, loss: 1 / (i + 1), lr: 1e-3, gradNorm: 1, tokensPerSecond: 1, elapsed: i, eta: 0,
      ...((i + 1) % 100 === 0 ? { evalLoss: 1, evalAccuracy: 0.5 } : {}),
    }));
    const curve = thinCurve(records);
    expect(curve.length).toBeLessThanOrEqual(420);
    expect(curve.filter((p) => p.evalLoss !== undefined)).toHaveLength(20);
    expect(curve.at(-1)!.step).toBe(2000);
  });
});
