import { AdamW, autograd, TransformerLM } from 'softmax';
import type { Optimizer, TokenBatch, TransformerLMOptions } from 'softmax';
import type { LanguageModelConfig } from './config.js';

/** Our model and optimiser, ready to take steps. */
export interface OurTrainer {
  model: TransformerLM;
  optimizer: Optimizer;
  /** Clears the gradients, then forward, loss and backward (no update); returns the batch loss. */
  lossAndBackward(batch: TokenBatch): number;
  /** One optimisation step (forward, loss, backward, AdamW); returns the batch loss. */
  step(batch: TokenBatch): number;
}

/**
 * Our `TransformerLM` (pre-norm LayerNorm, GELU-tanh MLP 4×, causal attention with the given normaliser)
 * and `AdamW`. A step is what `train()` does per batch, minus its logging and gradient-norm reading.
 */
export function ourTrainer(config: LanguageModelConfig, options: { seed: number; lr: number; weightDecay?: number } & Partial<TransformerLMOptions>): OurTrainer {
  const { seed, lr, weightDecay, ...rest } = options;
  const model = new TransformerLM({ ...rest, ...config, seed });
  const optimizer = new AdamW(model.parameters(), { lr, weightDecay });
  const lossAndBackward = (batch: TokenBatch): number => {
    optimizer.zeroGrad();
    const logits = model.forward(batch.inputs);
    const loss = autograd.crossEntropy(autograd.reshape(logits, [-1, config.vocab]), batch.targets.data);
    loss.backward();
    return loss.item();
  };
  return {
    model,
    optimizer,
    lossAndBackward,
    step(batch) {
      const loss = lossAndBackward(batch);
      optimizer.step();
      return loss;
    },
  };
}
