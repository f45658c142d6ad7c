import { AdamW, associativeRecall, characterCorpus, copyTask, cosineSchedule, type BatchSource } from 'softmax';
import type { BenchMode } from '../../harness/budget.js';
import { QuaternionTransformerLM, train } from 'softmax';
import { corpusText } from './corpus.js';
import type { MeanStd, QualityRow, Variant } from './illustration-types.js';

export const VARIANTS: readonly Variant[] = ['componentwise', 'shared'];
export const SEEDS = 3;
export const LEARNING_RATE = 1e-2;

/** The small quaternion LM trained on every task (both variants, same everything else). */
export const MODEL = { dModel: 32, heads: 2, layers: 2, mlpHidden: 64 } as const;

interface Task {
  name: string;
  steps: number;
  batchSize: number;
  data: (seed: number) => { train: BatchSource; evaluation: BatchSource };
}

/** Associative recall of the quality table and the attention maps: keys [0, vocab/2), values [vocab/2, vocab). */
export const RECALL = { pairs: 4, vocab: 16 } as const;
export const COPY = { items: 8, vocab: 12 } as const;

/** A token label of an associative-recall sequence (`k3`, `v5`). */
export const recallLabel = (id: number): string => (id < RECALL.vocab / 2 ? `k${id}` : `v${id - RECALL.vocab / 2}`);

/**
 * Training steps per task and mode. Report mode (≈ 3 minutes for the whole suite): copy runs to its
 * ceiling (both variants reach 100 % by ~100 steps at batch 8), associative recall and the character
 * LM get short runs; full mode triples every count; quick mode 4 steps.
 */
const stepsFor = (mode: BenchMode, report: number): number => (mode === 'quick' ? 4 : mode === 'report' ? report : 3 * report);

export function qualityTasks(mode: BenchMode): { tasks: Task[]; corpusSource: string } {
  const corpus = corpusText();
  return {
    corpusSource: corpus.source,
    tasks: [
      {
        name: `associative recall (${RECALL.pairs} pairs, vocab ${RECALL.vocab})`,
        steps: stepsFor(mode, 150),
        batchSize: 8,
        data: (seed) => ({ train: associativeRecall({ ...RECALL, seed }), evaluation: associativeRecall({ ...RECALL, seed: 10_000 + seed }) }),
      },
      {
        name: `copy (${COPY.items} items, vocab ${COPY.vocab})`,
        steps: stepsFor(mode, 150),
        batchSize: 8,
        data: (seed) => ({ train: copyTask({ ...COPY, seed }), evaluation: copyTask({ ...COPY, seed: 10_000 + seed }) }),
      },
      {
        name: 'character LM (context 32)',
        steps: stepsFor(mode, 80),
        batchSize: 8,
        data: (seed) => {
          const c = characterCorpus(corpus.text, { length: 32, seed });
          return { train: c.train, evaluation: c.validation };
        },
      },
    ],
  };
}

export function meanStd(values: readonly number[]): MeanStd {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

export interface QualityOutcome {
  rows: QualityRow[];
  corpusSource: string;
  /** The tasks' step counts and batch sizes, for the notes. */
  settings: string;
  /** The trained component-wise model of the first task and seed (for the attention maps). */
  componentwiseModel: QuaternionTransformerLM | null;
  /** One evaluation sequence of that task. */
  example: Int32Array | null;
}

/**
 * Trains the same small quaternion LM with each variant on each task, `SEEDS` seeds (seed s: model
 * init s and data stream s), AdamW with cosine decay, and evaluates on held-out batches.
 */
export function runQuality(mode: BenchMode, onTask: (label: string) => void): QualityOutcome {
  const { tasks, corpusSource } = qualityTasks(mode);
  const rows: QualityRow[] = [];
  let componentwiseModel: QuaternionTransformerLM | null = null;
  let example: Int32Array | null = null;
  for (const task of tasks) {
    for (const variant of VARIANTS) {
      const losses: number[] = [];
      const accuracies: number[] = [];
      const msPerStep: number[] = [];
      for (let seed = 0; seed < SEEDS; seed++) {
        onTask(`${task.name} · ${variant} · seed ${seed}`);
        const { train: data, evaluation } = task.data(seed);
        const model = new QuaternionTransformerLM({ vocab: data.vocab, maxLength: data.length, ...MODEL, variant, seed });
        const optimizer = new AdamW(model.parameters(), { lr: cosineSchedule({ rate: LEARNING_RATE, steps: task.steps, warmup: Math.max(1, Math.round(task.steps / 10)) }), weightDecay: 0.01 });
        const result = train({ model, data, optimizer, steps: task.steps, batchSize: task.batchSize, evalData: evaluation, evalBatches: 8, clipNorm: 1 });
        losses.push(result.evalLoss);
        accuracies.push(result.evalAccuracy);
        msPerStep.push((1000 * result.seconds) / Math.max(1, result.steps));
        if (componentwiseModel === null && variant === 'componentwise') {
          componentwiseModel = model;
          example = evaluation.next(1).inputs.data;
        }
      }
      rows.push({ task: task.name, variant, seeds: SEEDS, steps: task.steps, evalLoss: meanStd(losses), evalAccuracy: meanStd(accuracies), msPerStep: meanStd(msPerStep) });
    }
  }
  const settings = tasks.map((t) => `${t.name}: ${t.steps} steps × batch ${t.batchSize}`).join('; ');
  return { rows, corpusSource, settings, componentwiseModel, example };
}
