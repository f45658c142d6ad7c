/**
 * Per-query temperature τ of selective attention: validated once into a float64 array
 * `[batch, qHeads, Lq]` of finite values > 0.
 */
import { fail } from '../tensor/errors.js';
import type { FloatArray } from '../tensor/types.js';
import { isFloatArray } from '../tensor/view.js';
import type { AttentionTemperature } from './attentionTypes.js';
import { checkTensor, requireDims, sameType, type AttentionShape } from './layout.js';

export interface TemperaturePlan {
  /** τ per (b, h, i), C order. */
  values: Float64Array;
  /** True when τ came as an array (so vjp returns its gradient). */
  learned: boolean;
}

function checkValue(t: unknown, name: string): number {
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) fail('E_PARAM', name, 'a finite temperature > 0', t);
  return t;
}

/** Validates `temperature` (array or function) into per-query values; null when absent. */
export function parseTemperature(temperature: AttentionTemperature | undefined, q: FloatArray, s: AttentionShape): TemperaturePlan | null {
  if (temperature === undefined) return null;
  const count = s.batch * s.qHeads * s.lq;
  const values = new Float64Array(count);
  if (typeof temperature === 'function') {
    for (let b = 0; b < s.batch; b++) {
      for (let h = 0; h < s.qHeads; h++) {
        for (let i = 0; i < s.lq; i++) {
          const r = (b * s.qHeads + h) * s.lq + i;
          const t = temperature(h, i, q.subarray(r * s.d, (r + 1) * s.d));
          values[r] = checkValue(t, `temperature(${h}, ${i})`);
        }
      }
    }
    return { values, learned: false };
  }
  let data: FloatArray;
  if (isFloatArray(temperature)) {
    data = temperature;
    if (data.length !== count) fail('E_SHAPE', 'temperature', `${count} values ([batch, qHeads, Lq])`, data.length);
  } else {
    const t = checkTensor(temperature, 'temperature', 3, '[batch, qHeads, Lq]');
    requireDims(t.dims, [s.batch, s.qHeads, s.lq], 'temperature.dims', '[batch, qHeads, Lq]');
    data = t.data;
  }
  sameType(q, data, 'temperature');
  for (let r = 0; r < count; r++) values[r] = checkValue(data[r], `temperature[${r}]`);
  return { values, learned: true };
}
