/**
 * Quaternion transformer modules on the tape: parameter counts vs a real model of the same width,
 * gradients through a whole block, and a few `train()` steps of the quaternion LM with each variant.
 */
import { describe, expect, it } from 'vitest';
import { QuaternionMultiHeadAttention, QuaternionTransformerBlock, QuaternionTransformerLM } from '../../src/hypercomplex/quaternionTransformer.js';
import { associativeRecall } from '../../src/train/data/tasks.js';
import { MultiHeadAttention } from '../../src/train/modules/transformer.js';
import { AdamW } from '../../src/train/optim/optimizers.js';
import { train } from '../../src/train/trainer.js';
import { createRng } from '../../src/tensor/rng.js';
import { expectSoftmaxError } from '../ops/helpers.js';
import { gradCheck, leaf, rng } from '../train/gradcheck.js';

describe('quaternion transformer modules', () => {
  it('attention projections have 1/4 of the parameters of a real multi-head attention of the same width', () => {
    const quaternion = new QuaternionMultiHeadAttention(64, 4, { qkNorm: false });
    const real = new MultiHeadAttention(64, 4);
    expect(quaternion.parameterCount() / real.parameterCount()).toBe(0.25);
    expectSoftmaxError(() => new QuaternionMultiHeadAttention(64, 3), 'E_PARAM', 'heads');
  });

  it('a whole block differentiates correctly (both variants, float64)', () => {
    for (const variant of ['shared', 'componentwise'] as const) {
      const block = new QuaternionTransformerBlock(8, 2, { variant, dtype: 'float64', rng: createRng(3), mlpHidden: 8 });
      gradCheck((x) => block.forward(x), [leaf(rng(50), [1, 3, 8])], { rtol: 1e-5, atol: 1e-7 });
    }
  });

  it('the quaternion LM trains with train() and both variants lower the loss', () => {
    for (const variant of ['shared', 'componentwise'] as const) {
      const data = associativeRecall({ pairs: 3, vocab: 12, seed: 1 });
      const model = new QuaternionTransformerLM({ vocab: 12, dModel: 16, heads: 2, layers: 1, maxLength: data.length, seed: 2, variant });
      const result = train({ model, data, optimizer: new AdamW(model.parameters(), { lr: 1e-2 }), steps: 25, batchSize: 8 });
      const first = result.history[0].loss;
      const last = result.history.slice(-5).reduce((s, r) => s + r.loss, 0) / 5;
      expect(last).toBeLessThan(first);
      expect(Number.isFinite(result.evalLoss)).toBe(true);
    }
  });
});
