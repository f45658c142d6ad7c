import { fail } from '../../tensor/errors.js';
import type { BatchSource, TokenBatch } from './batch.js';

/** One stage of a curriculum. */
export interface CurriculumStage {
  /** Training batches of this stage. */
  data: BatchSource;
  /** Held-out batches deciding when to advance (default: fresh batches from `data`). */
  evalData?: BatchSource;
  /**
   * Advance to the next stage once an evaluation on this stage reaches this accuracy (in (0, 1]).
   * Ignored on the last stage, which trains until the run ends.
   */
  advanceAt?: number;
}

/**
 * A batch source that trains through stages in order (curriculum learning; Bengio, Louradour, Collobert &
 * Weston 2009) — e.g. associative recall on 8, then 16, then 32 pairs. `train()` evaluates the current
 * stage on every evaluation step and calls `observe(accuracy)`, which moves to the next stage when the
 * accuracy reaches the stage's `advanceAt`.
 */
export interface CurriculumSource extends BatchSource {
  readonly isCurriculum: true;
  /** Index of the current stage (0-based). */
  readonly stage: number;
  readonly stageCount: number;
  /** The current stage's held-out source. */
  readonly stageEvalData: BatchSource;
  /** The last stage's held-out source (the target distribution). */
  readonly finalEvalData: BatchSource;
  /** Reports an evaluation accuracy on the current stage; returns true when it advanced. */
  observe(accuracy: number): boolean;
}

/** True for a source made by {@link curriculum}. */
export function isCurriculum(source: BatchSource): source is CurriculumSource {
  return (source as Partial<CurriculumSource>).isCurriculum === true;
}

/**
 * Builds a curriculum from stages (at least one). Every stage must share one vocabulary; `length` is the
 * longest stage's (models need `maxLength` ≥ it). `advanceAt` defaults to 0.9. Errors name the stage.
 */
export function curriculum(stages: readonly CurriculumStage[]): CurriculumSource {
  if (!Array.isArray(stages) || stages.length === 0) fail('E_PARAM', 'stages', 'a non-empty array of { data, evalData?, advanceAt? }', stages);
  stages.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof s.data?.next !== 'function') fail('E_PARAM', `stages[${i}].data`, 'a batch source', s?.data);
    if (s.data.vocab !== stages[0].data.vocab) fail('E_PARAM', `stages[${i}].data.vocab`, `the vocabulary of stage 0 (${stages[0].data.vocab})`, s.data.vocab);
    const at = s.advanceAt ?? 0.9;
    if (typeof at !== 'number' || !(at > 0 && at <= 1)) fail('E_PARAM', `stages[${i}].advanceAt`, 'an accuracy in (0, 1]', at);
  });
  let stage = 0;
  const last = stages[stages.length - 1];
  return {
    isCurriculum: true,
    vocab: stages[0].data.vocab,
    length: Math.max(...stages.map((s) => s.data.length)),
    stageCount: stages.length,
    get stage() {
      return stage;
    },
    get stageEvalData() {
      return stages[stage].evalData ?? stages[stage].data;
    },
    finalEvalData: last.evalData ?? last.data,
    next(batchSize: number): TokenBatch {
      return stages[stage].data.next(batchSize);
    },
    observe(accuracy: number): boolean {
      if (stage + 1 >= stages.length || !(accuracy >= (stages[stage].advanceAt ?? 0.9))) return false;
      stage++;
      return true;
    },
  };
}
