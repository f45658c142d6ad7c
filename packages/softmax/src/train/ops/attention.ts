import { attention } from '../../attention/attention.js';
import type { AttentionOptions } from '../../attention/attentionTypes.js';
import type { FloatArray } from '../../tensor/types.js';
import { record, Variable } from '../autograd/variable.js';
import { asVariable, type Operand } from './operand.js';

/** `attention`'s options with the trainable pieces (gate tensors, learned temperature) as variables. */
export interface TapeAttentionOptions extends Omit<AttentionOptions, 'gate' | 'temperature' | 'out' | 'returnWeights'> {
  gate?: { x: Variable; weight: Variable; bias?: Variable; mode: 'input' | 'query' };
  /** Learned per-query temperature `[batch, qHeads, Lq]` (a variable), or a function (a constant). */
  temperature?: Variable | ((qHeadIndex: number, queryPosition: number, qRow: FloatArray) => number);
}

/**
 * Scaled dot-product attention on the tape: the library's `attention` (flash path for softmax, any
 * normaliser, masks, GQA, gates, selective temperature) forward, and `attention.vjp` backward for
 * q, k, v, the gate's x/weight/bias and a learned temperature. Shapes as `attention`.
 */
export function attend(q: Operand, k: Operand, v: Operand, options: TapeAttentionOptions = {}): Variable {
  const vq = asVariable(q, 'q');
  const vk = asVariable(k, 'k');
  const vv = asVariable(v, 'v');
  const inputs: Variable[] = [vq, vk, vv];
  const gate = options.gate;
  const temperature = options.temperature instanceof Variable ? options.temperature : undefined;
  if (gate) inputs.push(gate.x, gate.weight, ...(gate.bias ? [gate.bias] : []));
  if (temperature) inputs.push(temperature);
  const opts = options as AttentionOptions;
  const y = attention(vq, vk, vv, opts);
  return record('attention', y.data, y.dims, inputs, (g) => {
    const grads = attention.vjp(vq, vk, vv, { data: g, dims: y.dims }, opts);
    const out: Array<FloatArray | null> = [grads.dq.data, grads.dk.data, grads.dv.data];
    if (gate) {
      out.push(grads.dGate?.x.data ?? null, grads.dGate?.weight.data ?? null);
      if (gate.bias) out.push(grads.dGate?.bias?.data ?? null);
    }
    if (temperature) out.push(grads.dTemperature?.data ?? null);
    return out;
  });
}
