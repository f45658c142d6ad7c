import type { BenchMode } from '../../harness/budget.js';
import type { TrainingSettingsName } from './illustration-types.js';

/** The environment variable that selects the full demonstration settings in `report` mode. */
export const FULL_SETTINGS_ENV = 'SOFTMAX_TRAINING';

export interface ModelSettings {
  dModel: number;
  heads: number;
  layers: number;
}

export interface RecallSettings extends ModelSettings {
  pairs: number;
  vocab: number;
  /** Curriculum: pair counts trained first, in order, each until `advanceAt` held-out accuracy (empty: none). */
  stages: number[];
  advanceAt: number;
  positional: 'learned' | 'rope';
  init: 'normal' | 'xavier';
  /** Also train the same model without the curriculum (32 pairs from the first step) for comparison. */
  baseline: boolean;
  batch: number;
  lr: number;
  warmup: number;
  evalEvery: number;
  evalBatches: number;
  targetAccuracy: number;
  maxSteps: number;
  maxSeconds: number;
}

export interface CharacterSettings extends ModelSettings {
  context: number;
  batch: number;
  lr: number;
  warmup: number;
  evalEvery: number;
  evalBatches: number;
  /** The validation loss (nats per character) the run should reach. */
  targetLoss: number;
  maxSteps: number;
  maxSeconds: number;
  sampleCharacters: number;
  /** Characters of the corpus to use (the whole corpus when larger than it). */
  maxCharacters: number;
}

export interface TrainingSettings {
  name: TrainingSettingsName;
  /** The speed comparison: the recall model at this batch. */
  step: { pairs: number; vocab: number; batch: number; budgetMs: number; minRounds: number; tfjsCpu: boolean } & ModelSettings;
  /** Square matmul sizes. */
  matmulSizes: number[];
  recall: RecallSettings;
  character: CharacterSettings;
  /** Steps per normaliser of the comparison (the character model and data). */
  normalizerSteps: number;
}

const DEMO_MODEL: ModelSettings = { dModel: 64, heads: 4, layers: 2 };

const FULL: TrainingSettings = {
  name: 'full',
  step: { ...DEMO_MODEL, pairs: 32, vocab: 64, batch: 16, budgetMs: 60_000, minRounds: 5, tfjsCpu: true },
  matmulSizes: [256, 512, 1024],
  recall: {
    ...DEMO_MODEL, pairs: 32, vocab: 64, stages: [4, 8, 16], advanceAt: 0.9, positional: 'rope', init: 'xavier', baseline: true,
    batch: 32, lr: 1e-3, warmup: 50, evalEvery: 50, evalBatches: 8, targetAccuracy: 0.99, maxSteps: 20_000, maxSeconds: 300,
  },
  character: {
    ...DEMO_MODEL, context: 64, batch: 16, lr: 3e-3, warmup: 50, evalEvery: 50, evalBatches: 8, targetLoss: 2.0, maxSteps: 20_000, maxSeconds: 300,
    sampleCharacters: 300, maxCharacters: Infinity,
  },
  normalizerSteps: 150,
};

const REDUCED: TrainingSettings = {
  name: 'reduced',
  step: { ...FULL.step, budgetMs: 15_000, minRounds: 3, tfjsCpu: false },
  matmulSizes: [256, 512, 1024],
  // The 32-pair problem with the curriculum; the 5-minute run without it only in full runs.
  recall: { ...FULL.recall, baseline: false },
  character: { ...FULL.character, evalEvery: 25, evalBatches: 4, maxSeconds: 40, sampleCharacters: 160 },
  normalizerSteps: 12,
};

const QUICK: TrainingSettings = {
  name: 'quick',
  step: { dModel: 16, heads: 2, layers: 1, pairs: 4, vocab: 16, batch: 2, budgetMs: 100, minRounds: 2, tfjsCpu: true },
  matmulSizes: [16, 32],
  recall: {
    dModel: 16, heads: 2, layers: 1, pairs: 4, vocab: 16, stages: [2], advanceAt: 0.5, positional: 'rope', init: 'xavier', baseline: true,
    batch: 4, lr: 3e-3, warmup: 2, evalEvery: 3, evalBatches: 1, targetAccuracy: 0.99, maxSteps: 6, maxSeconds: 10,
  },
  character: {
    dModel: 16, heads: 2, layers: 1, context: 16, batch: 4, lr: 3e-3, warmup: 2, evalEvery: 3, evalBatches: 1, targetLoss: 2.0, maxSteps: 6, maxSeconds: 10,
    sampleCharacters: 12, maxCharacters: 20_000,
  },
  normalizerSteps: 2,
};

/**
 * Settings by mode: `quick` (tests) is tiny; `report` (`npm start`) trains the demonstration models
 * for under a minute each, about 3 minutes in all; `full` (`npm run bench`, or `report` with
 * SOFTMAX_TRAINING=full) runs the demonstrations as the issue states them (5-minute caps).
 */
export function trainingSettings(mode: BenchMode, env: Record<string, string | undefined> = process.env): TrainingSettings {
  if (mode === 'quick') return QUICK;
  if (mode === 'full' || env[FULL_SETTINGS_ENV] === 'full') return FULL;
  return REDUCED;
}
