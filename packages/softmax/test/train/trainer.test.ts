import { describe, expect, it } from 'vitest';
import { train, type TrainRecord } from '../../src/train/trainer.js';
import { TransformerLM } from '../../src/train/modules/transformer.js';
import { AdamW } from '../../src/train/optim/optimizers.js';
import { cosineSchedule } from '../../src/train/optim/schedule.js';
import { associativeRecall, copyTask, modularArithmetic } from '../../src/train/data/tasks.js';
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
