/**
 * One validated attention call: tensors, shape, mask, temperature, normaliser and gate. Shared by the
 * forward pass and `attention.vjp`, so both read the options identically.
 */
import { optionsObject } from '../tensor/options.js';
import { fail } from '../tensor/errors.js';
import { parseMask, type MaskPlan } from './attentionMask.js';
import type { AttentionOptions } from './attentionTypes.js';
import { parseGate, type GatePlan } from './gate.js';
import { parseShape, type AttentionShape, type Tensor4 } from './layout.js';
import { planNormalizer, type NormalizerPlan } from './normalizerPlan.js';
import { parseTemperature, type TemperaturePlan } from './temperature.js';

export interface AttentionCall {
  q: Tensor4;
  k: Tensor4;
  v: Tensor4;
  shape: AttentionShape;
  mask: MaskPlan | null;
  temperature: TemperaturePlan | null;
  normalizer: NormalizerPlan;
  gate: GatePlan | null;
  returnWeights: boolean;
}

export function parseCall(q: unknown, k: unknown, v: unknown, opts: AttentionOptions | undefined): AttentionCall {
  const o = optionsObject(opts) as AttentionOptions;
  const { q: qt, k: kt, v: vt, shape } = parseShape(q, k, v, o.scale, o.causal);
  if (o.returnWeights !== undefined && typeof o.returnWeights !== 'boolean') fail('E_PARAM', 'returnWeights', 'true or false', o.returnWeights);
  return {
    q: qt,
    k: kt,
    v: vt,
    shape,
    mask: parseMask(o.mask, qt.data, shape),
    temperature: parseTemperature(o.temperature, qt.data, shape),
    normalizer: planNormalizer(o, shape),
    gate: o.gate === undefined ? null : parseGate(o.gate, qt.data, shape),
    returnWeights: o.returnWeights === true,
  };
}
