import { describe, expect, it } from 'vitest';
import { train, type TrainRecord } from '../../src/train/trainer.js';
import { TransformerLM } from '../../src/train/modules/transformer.js';
import { AdamW } from '../../src/train/optim/optimizers.js';
import { cosineSchedule } from '../../src/train/optim/schedule.js';
import { associativeRecall, copyTask, modularArithmetic } from '../../src/train/data/tasks.js';
import { curriculum } from '../../src/train/data/curriculum.js';
import type { BatchSource } from '../../src/train/data/batch.js';
import { expectSoftmaxError } from '../ops/helpers.js';

function run(seed: number) {
  const data = associativeRecall({ pairs: 4, vocab: 16, seed });
  const model = new TransformerLM({ vocab: 16, dModel: 16, heads: 2, layers: 1, maxLength: data.length, seed });
  const optimizer = new AdamW(model.parameters(), { lr: cosineSchedule({ rate: 3e-3, steps: 12, warmup: 2 }) });
  const lines: string[] = [];
  const progress: string[] = [];
  const result = train({ model, data, optimizer, steps: 12, batchSize: 8, evalEvery: 6, log: (l) => lines.push(l), progress: (_r, line) => progress.push(line) });
  return { result, lines, progress };
}

describe('train', () => {
  it('is deterministic under a seed, logs JSON lines and prints progress lines', () => {
    const a = run(1);
    const b = run(1);
    expect(a.result.history.map((r) => r.loss)).toEqual(b.result.history.map((r) => r.loss));
    expect(a.lines).toHaveLength(12);
    const record = JSON.parse(a.lines[5]) as TrainRecord;
    expect(record.step).toBe(6);
    expect(record.evalAccuracy).toBeGreaterThanOrEqual(0);
    expect(a.progress[11]).toMatch(/^step 12\/12 · loss \d+\.\d{4} · \d+ tok\/s · ETA .* · eval loss/);
    expect(a.result.history[0].lr).toBeCloseTo(1.5e-3, 12); // warm-up step 1 of 2
    expect(run(2).result.history[0].loss).not.toBe(a.result.history[0].loss);
  });

  it('advances a curriculum on its stage evaluations and reports stages', () => {
    // Stage 0 is copying 2 items (learned within the first evaluations); stage 1 copies 4.
    const stages = curriculum([
      { data: copyTask({ items: 2, vocab: 6, seed: 1 }), advanceAt: 0.9 },
      { data: copyTask({ items: 4, vocab: 6, seed: 2 }) },
    ]);
    expect(stages.length).toBe(8);
    const model = new TransformerLM({ vocab: 6, dModel: 16, heads: 2, layers: 1, maxLength: stages.length, seed: 3 });
    const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0 });
    const lines: string[] = [];
    const result = train({ model, data: stages, optimizer, steps: 120, batchSize: 32, evalEvery: 10, evalBatches: 2, progress: (_r, line) => lines.push(line) });
    const advancedAt = result.history.findIndex((r) => r.stage === 1);
    expect(advancedAt).toBeGreaterThan(0);
    const trigger = result.history[advancedAt - 1];
    expect(trigger.stageAccuracy).toBeGreaterThanOrEqual(0.9); // the evaluation that moved it on
    expect(result.history.slice(0, advancedAt - 1).every((r) => r.stageAccuracy === undefined || r.stageAccuracy < 0.9)).toBe(true);
    expect(stages.stage).toBe(1);
    expect(lines[0]).toMatch(/^step 1\/120 · stage 1\/2 · loss/);
    expect(lines[lines.length - 1]).toMatch(/stage 2\/2/);
    expect(result.history[result.history.length - 1].evalAccuracy).toBe(result.evalAccuracy); // scored on the last stage
  });

  it('rejects bad curricula by stage', () => {
    const source = (vocab: number): BatchSource => copyTask({ items: 2, vocab });
    expectSoftmaxError(() => curriculum([]), 'E_PARAM', 'stages');
    expectSoftmaxError(() => curriculum([{ data: source(6) }, { data: source(7) }]), 'E_PARAM', 'stages[1].data.vocab');
    expectSoftmaxError(() => curriculum([{ data: source(6), advanceAt: 1.5 }]), 'E_PARAM', 'stages[0].advanceAt');
    expectSoftmaxError(() => curriculum([{ data: {} as BatchSource }]), 'E_PARAM', 'stages[0].data');
  });

  it('learns the copy task (accuracy near 1 after a few dozen steps)', () => {
    const data = copyTask({ items: 3, vocab: 6, seed: 3 });
    const model = new TransformerLM({ vocab: data.vocab, dModel: 16, heads: 2, layers: 1, maxLength: data.length, seed: 3 });
    const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0 });
    const result = train({ model, data, optimizer, steps: 60, batchSize: 32, evalBatches: 2 });
    expect(result.evalAccuracy).toBeGreaterThan(0.95);
    expect(result.history[59].loss).toBeLessThan(0.1 * result.history[0].loss);
  });

  it('rejects bad arguments by name', () => {
    const data = modularArithmetic({ modulus: 5 });
    const model = new TransformerLM({ vocab: data.vocab, dModel: 8, heads: 2, layers: 1, maxLength: 4 });
    const optimizer = new AdamW(model.parameters(), { lr: 1e-2 });
    expectSoftmaxError(() => train({ model, data, optimizer, steps: -1, batchSize: 1 }), 'E_PARAM', 'steps');
    expectSoftmaxError(() => train({ model, data, optimizer, steps: 1, batchSize: 0 }), 'E_PARAM', 'batchSize');
  });
});
