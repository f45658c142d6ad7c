import { it } from 'vitest';
import { train } from '../../src/train/trainer.js';
import { TransformerLM } from '../../src/train/modules/transformer.js';
import { AdamW } from '../../src/train/optim/optimizers.js';
import { associativeRecall } from '../../src/train/data/tasks.js';
import { cosineSchedule } from '../../src/train/optim/schedule.js';
it('dbg', () => {
  const data = associativeRecall({ pairs: 32, vocab: 64, seed: 1 });
  const model = new TransformerLM({ vocab: 64, dModel: 64, heads: 4, layers: 2, maxLength: data.length, seed: 1 });
  const steps = Number(process.env.STEPS ?? 20);
  const optimizer = new AdamW(model.parameters(), { lr: cosineSchedule({ rate: 3e-3, steps, warmup: Math.min(50, steps) }), weightDecay: 0.01 });
  const result = train({ model, data, optimizer, steps, batchSize: 32, evalEvery: 100, progress: (r, line) => { if (r.step % 25 === 0) console.log(line); } });
  console.log(result.seconds / steps * 1000, 'ms/step', result.evalAccuracy);
});
