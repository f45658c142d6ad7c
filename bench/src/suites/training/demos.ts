import { AdamW, associativeRecall, characterCorpus, createRng, curriculum, greedy, noGrad, sample, train, TransformerLM, warmupSchedule } from 'softmax';
import type { BatchSource, CharacterVocabulary, TrainRecord, TransformerLMOptions } from 'softmax';
import type { ProgressCallback } from '../../harness/progress.js';
import { loadCorpus } from './corpus.js';
import type { CharacterDemoRun, CurvePoint, DemoRun, GeneratedSample, NormalizerRun } from './illustration-types.js';
import type { CharacterSettings, ModelSettings, RecallSettings } from './settings.js';

const now = (): number => performance.now();
/** Learning curves keep at most this many training points (every evaluation point is kept). */
const CURVE_POINTS = 400;
const CLIP_NORM = 1;
const MODEL_SEED = 0;

interface CappedRun {
  records: TrainRecord[];
  steps: number;
  seconds: number;
  evalLoss: number;
  evalAccuracy: number;
  stoppedBy: DemoRun['stoppedBy'];
}

interface CappedOptions {
  model: TransformerLM;
  data: BatchSource;
  evalData: BatchSource;
  batch: number;
  lr: number;
  warmup: number;
  evalEvery: number;
  evalBatches: number;
  maxSteps: number;
  maxSeconds: number;
  /** Stop when an evaluation meets it. */
  goal: (evalLoss: number, evalAccuracy: number) => boolean;
  label: string;
  onProgress?: ProgressCallback;
}

/**
 * `train()` in chunks of `evalEvery` steps (each chunk ends with an evaluation) with one model and one
 * AdamW (linear warm-up, then constant), until the goal, the step limit or the time cap. The records
 * are `train()`'s JSON log lines, renumbered across chunks.
 */
function trainCapped(o: CappedOptions): CappedRun {
  const optimizer = new AdamW(o.model.parameters(), { lr: warmupSchedule(o.lr, o.warmup) });
  const records: TrainRecord[] = [];
  const start = now();
  let steps = 0;
  let evalLoss = Number.NaN;
  let evalAccuracy = Number.NaN;
  let stoppedBy: DemoRun['stoppedBy'] = 'steps';
  while (steps < o.maxSteps) {
    const offset = steps;
    const chunkStart = (now() - start) / 1000;
    const result = train({
      model: o.model,
      data: o.data,
      evalData: o.evalData,
      evalBatches: o.evalBatches,
      optimizer,
      steps: Math.min(o.evalEvery, o.maxSteps - steps),
      batchSize: o.batch,
      clipNorm: CLIP_NORM,
      log: (line) => {
        const record = JSON.parse(line) as TrainRecord;
        records.push({ ...record, step: record.step + offset, elapsed: record.elapsed + chunkStart });
      },
    });
    steps += result.steps;
    evalLoss = result.evalLoss;
    evalAccuracy = result.evalAccuracy;
    const seconds = (now() - start) / 1000;
    o.onProgress?.({ phase: 'train', done: Math.min(Math.round(seconds), o.maxSeconds), total: o.maxSeconds, label: `${o.label} · step ${steps} · eval loss ${evalLoss.toFixed(3)} · acc ${(100 * evalAccuracy).toFixed(1)}%` });
    if (o.goal(evalLoss, evalAccuracy)) {
      stoppedBy = 'goal';
      break;
    }
    if (seconds >= o.maxSeconds) {
      stoppedBy = 'time';
      break;
    }
  }
  return { records, steps, seconds: (now() - start) / 1000, evalLoss, evalAccuracy, stoppedBy };
}

/** Every evaluation record and at most CURVE_POINTS training records, evenly spaced. */
export function thinCurve(records: readonly TrainRecord[]): CurvePoint[] {
  const every = Math.max(1, Math.ceil(records.length / CURVE_POINTS));
  return records
    .filter((r, i) => r.evalLoss !== undefined || i % every === 0 || i === records.length - 1)
    .map((r) => {
      const p: CurvePoint = { step: r.step, loss: r.loss, elapsed: r.elapsed };
      if (r.evalLoss !== undefined) p.evalLoss = r.evalLoss;
      if (r.evalAccuracy !== undefined) p.evalAccuracy = r.evalAccuracy;
      if (r.stage !== undefined) p.stage = r.stage;
      return p;
    });
}

/** Mean training loss over the last `window` records. */
function tailLoss(records: readonly TrainRecord[], window: number): number {
  const tail = records.slice(-Math.max(1, window));
  return tail.reduce((s, r) => s + r.loss, 0) / Math.max(1, tail.length);
}

type RunLimits = Pick<CappedOptions, 'batch' | 'lr' | 'warmup' | 'maxSteps' | 'maxSeconds'>;

/** The settings a demo shows: the model's, then `data` (what it trains on), batch, optimiser, `evaluation` and limits. */
function runSettings(m: ModelSettings & RunLimits, data: Record<string, number | string>, evaluation: string): Record<string, number | string> {
  return {
    layers: m.layers,
    heads: m.heads,
    dModel: m.dModel,
    mlp: `GELU-tanh ${4 * m.dModel}`,
    norm: 'pre-norm LayerNorm',
    ...data,
    batch: m.batch,
    optimizer: `AdamW lr ${m.lr}, warm-up ${m.warmup}, decay 0.01, clip ${CLIP_NORM}`,
    evaluation,
    'step limit': m.maxSteps,
    'time cap': `${m.maxSeconds} s`,
  };
}

/** The measured fields of a demo: the model's size and what the capped run reached. */
function measured(model: TransformerLM, run: CappedRun, evalEvery: number): Pick<DemoRun, 'parameters' | 'steps' | 'seconds' | 'finalLoss' | 'evalLoss' | 'evalAccuracy'> {
  return {
    parameters: model.parameterCount(),
    steps: run.steps,
    seconds: run.seconds,
    finalLoss: tailLoss(run.records, evalEvery),
    evalLoss: run.evalLoss,
    evalAccuracy: run.evalAccuracy,
  };
}

/** The recall model of the demonstration (rotary or learned positions, the settings' initialisation). */
function recallModel(s: RecallSettings, maxLength: number): TransformerLM {
  return new TransformerLM({ vocab: s.vocab, dModel: s.dModel, heads: s.heads, layers: s.layers, maxLength, seed: MODEL_SEED, positional: s.positional, scheme: s.init });
}

/**
 * Multi-query associative recall (`associativeRecall`): a 2-layer, 4-head, d = 64 `TransformerLM`
 * trained with `train()` until the held-out accuracy on `pairs` pairs reaches the target or the time cap.
 * With `stages`, a `curriculum` first trains on fewer pairs (shorter, cheaper sequences on which the
 * induction circuit forms sooner), advancing at `advanceAt` held-out accuracy; the clock covers every stage.
 * With `baseline`, the same model is also trained on `pairs` pairs from the first step, for comparison.
 */
export function recallDemo(s: RecallSettings, onProgress?: ProgressCallback): DemoRun {
  const final = associativeRecall({ pairs: s.pairs, vocab: s.vocab, seed: 1 });
  const evalData = associativeRecall({ pairs: s.pairs, vocab: s.vocab, seed: 2 });
  const data =
    s.stages.length === 0
      ? final
      : curriculum([
          ...s.stages.map((pairs, i) => ({
            data: associativeRecall({ pairs, vocab: s.vocab, seed: 10 + i }),
            evalData: associativeRecall({ pairs, vocab: s.vocab, seed: 20 + i }),
            advanceAt: s.advanceAt,
          })),
          { data: final, evalData },
        ]);
  const model = recallModel(s, final.length);
  const goal = (_: number, accuracy: number): boolean => accuracy >= s.targetAccuracy;
  const run = trainCapped({ ...s, model, data, evalData, goal, label: 'associative recall', onProgress });
  const stageStarts = s.stages.length === 0 ? [] : [...s.stages, s.pairs].map((_, i) => run.records.find((r) => (r.stage ?? 0) >= i)?.step ?? Number.NaN);
  let baseline: DemoRun['baseline'];
  if (s.baseline && s.stages.length > 0) {
    const plain = recallModel(s, final.length);
    const b = trainCapped({ ...s, model: plain, data: associativeRecall({ pairs: s.pairs, vocab: s.vocab, seed: 1 }), evalData, goal, label: 'associative recall without curriculum', onProgress });
    baseline = { steps: b.steps, seconds: b.seconds, evalLoss: b.evalLoss, evalAccuracy: b.evalAccuracy, stoppedBy: b.stoppedBy };
  }
  const schedule = s.stages.length === 0 ? 'none' : `${[...s.stages, s.pairs].join(' → ')} pairs, advancing at ${100 * s.advanceAt}% held-out stage accuracy`;
  return {
    title: `Associative recall: ${s.pairs} key–value pairs, vocabulary ${s.vocab}`,
    settings: runSettings(
      s,
      {
        positions: s.positional === 'rope' ? 'rotary (RoPE)' : 'learned embeddings',
        init: s.init === 'xavier' ? 'Xavier normal' : 'normal 0.02',
        sequence: `${final.length} tokens (${s.pairs} pairs, ${s.pairs} queries)`,
        curriculum: schedule,
      },
      `every ${s.evalEvery} steps on ${s.evalBatches} held-out batches of ${s.pairs} pairs`,
    ),
    ...measured(model, run, s.evalEvery),
    goal: `held-out accuracy ≥ ${100 * s.targetAccuracy}% on ${s.pairs} pairs within ${s.maxSeconds} s (all stages)`,
    reached: run.evalAccuracy >= s.targetAccuracy && run.seconds <= s.maxSeconds,
    stoppedBy: run.stoppedBy,
    curve: thinCurve(run.records),
    ...(stageStarts.length > 0 ? { stageStarts, stagePairs: [...s.stages, s.pairs] } : {}),
    ...(baseline ? { baseline } : {}),
  };
}

/**
 * Generates `count` characters after `prompt`, one forward pass of the last `context` characters per
 * character: `greedy` (temperature undefined) or `sample` at the temperature with a seeded generator.
 */
export function generate(model: TransformerLM, vocabulary: CharacterVocabulary, prompt: string, count: number, context: number, temperature?: number): string {
  const rng = createRng(7);
  const ids = Array.from(vocabulary.encode(prompt));
  const vocab = vocabulary.characters.length;
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let i = 0; i < count; i++) {
        const window = Int32Array.from(ids.slice(-context));
        const logits = model.forward({ data: window, dims: [1, window.length] });
        const last = logits.data.subarray((window.length - 1) * vocab, window.length * vocab);
        ids.push(temperature === undefined ? greedy(last) : sample(last, { rng, temperature }));
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return vocabulary.decode(ids.slice(ids.length - count));
}

/** A prompt that exists in the text (so every character is in the vocabulary). */
function promptFrom(text: string): string {
  const preferred = 'This License ';
  return text.includes(preferred) ? preferred : text.slice(0, 12);
}

export interface CharacterSetup {
  corpus: ReturnType<typeof loadCorpus>;
  data: ReturnType<typeof characterCorpus>;
  modelOptions: TransformerLMOptions;
}

export function characterSetup(s: CharacterSettings, extra: Partial<TransformerLMOptions> = {}): CharacterSetup {
  const corpus = loadCorpus(s.maxCharacters);
  const data = characterCorpus(corpus.text, { length: s.context, validation: 0.1, seed: 3 });
  const modelOptions: TransformerLMOptions = {
    vocab: data.vocabulary.characters.length, dModel: s.dModel, heads: s.heads, layers: s.layers, maxLength: s.context, seed: MODEL_SEED, ...extra,
  };
  return { corpus, data, modelOptions };
}

/**
 * Character-level language model (`characterCorpus`) on the offline corpus: trained until the
 * validation loss reaches the stated target or the time cap, then greedy and temperature samples.
 */
export function characterDemo(s: CharacterSettings, onProgress?: ProgressCallback): CharacterDemoRun {
  const { corpus, data, modelOptions } = characterSetup(s);
  const model = new TransformerLM(modelOptions);
  const run = trainCapped({
    ...s,
    model,
    data: data.train,
    evalData: data.validation,
    goal: (loss) => loss <= s.targetLoss,
    label: 'character LM',
    onProgress,
  });
  onProgress?.({ phase: 'sample', done: 0, total: 2, label: 'character LM · sampling' });
  const prompt = promptFrom(corpus.text);
  const samples: GeneratedSample[] = [
    { method: 'greedy', prompt, text: generate(model, data.vocabulary, prompt, s.sampleCharacters, s.context) },
    { method: 'temperature 0.8', prompt, text: generate(model, data.vocabulary, prompt, s.sampleCharacters, s.context, 0.8) },
  ];
  return {
    title: 'Character-level language model',
    settings: runSettings(s, { context: `${s.context} characters`, vocabulary: data.vocabulary.characters.length },
      `every ${s.evalEvery} steps on ${s.evalBatches} batches of the held-out last 10%`),
    ...measured(model, run, s.evalEvery),
    goal: `validation loss ≤ ${s.targetLoss} nats/character within ${s.maxSeconds} s`,
    reached: run.evalLoss <= s.targetLoss && run.seconds <= s.maxSeconds,
    stoppedBy: run.stoppedBy,
    curve: thinCurve(run.records),
    corpus: corpus.info,
    samples,
  };
}

/** The attention variants of the comparison, as `TransformerLM` options. */
export const NORMALIZER_VARIANTS: readonly { name: string; options: Partial<TransformerLMOptions>; call: string }[] = [
  { name: 'softmax', options: {}, call: "normalizer: 'softmax' (default)" },
  { name: 'sparsemax', options: { normalizer: 'sparsemax' }, call: "normalizer: 'sparsemax'" },
  { name: 'entmax-1.5', options: { normalizer: 'entmax', normalizerOptions: { alpha: 1.5 } }, call: "normalizer: 'entmax', normalizerOptions: { alpha: 1.5 }" },
  { name: 'sigmoid', options: { normalizer: 'sigmoid' }, call: "normalizer: 'sigmoid' (bias −ln L)" },
  { name: 'gated softmax', options: { gate: 'query' }, call: "gate: 'query' (softmax, headwise output gate)" },
];

/**
 * The character model with each attention variant: same initial seed, same batches (a fresh data
 * source with the same seed per variant), same number of steps; final training loss (mean of the last
 * quarter of the steps), validation loss and wall time.
 */
export function normalizerComparison(s: CharacterSettings, steps: number, onProgress?: ProgressCallback): NormalizerRun[] {
  return NORMALIZER_VARIANTS.map((variant, i) => {
    onProgress?.({ phase: 'train', done: i, total: NORMALIZER_VARIANTS.length, label: `normaliser comparison · ${variant.name}` });
    const { data, modelOptions } = characterSetup(s, variant.options);
    const model = new TransformerLM(modelOptions);
    const optimizer = new AdamW(model.parameters(), { lr: warmupSchedule(s.lr, Math.min(s.warmup, Math.floor(steps / 2))) });
    const result = train({ model, data: data.train, evalData: data.validation, evalBatches: s.evalBatches, optimizer, steps, batchSize: s.batch, clipNorm: CLIP_NORM });
    return {
      name: variant.name,
      options: variant.call,
      steps: result.steps,
      seconds: result.seconds,
      finalLoss: tailLoss(result.history, Math.ceil(steps / 4)),
      evalLoss: result.evalLoss,
    };
  });
}
