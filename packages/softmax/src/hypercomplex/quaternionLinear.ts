import { fail } from '../tensor/errors.js';
import { createRng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { Variable } from '../train/autograd/variable.js';
import { linear } from '../train/ops/linear.js';
import { parameter } from '../train/modules/layers.js';
import { zerosOf } from '../train/modules/init.js';
import { Module } from '../train/modules/module.js';
import { hamiltonRules } from './hamiltonRules.js';
import { kroneckerSum } from './kroneckerSum.js';
import { quaternionPolarInit, type QuaternionInitOptions } from './quaternionInit.js';

export interface QuaternionLinearOptions extends QuaternionInitOptions {
  /** Add a real bias of width `outFeatures` (default true; zero-initialised). */
  bias?: boolean;
}

export function quaternionWidth(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 4 || value % 4 !== 0) fail('E_PARAM', name, 'a positive multiple of 4 (quaternion components)', value);
  return value;
}

/**
 * The real `[out, in]` matrix of a quaternion weight `[4, out/4, in/4]` (blocks W_r, W_i, W_j, W_k):
 * the Hamilton block matrix of hamiltonRules.ts, so that y = x·Wᵀ is the Hamilton product W ⊗ x in
 * `[r | i | j | k]` feature blocks. For tests, export and inspection; O(in·out).
 */
export function quaternionWeightMatrix(weight: { data: FloatArray; dims: readonly number[] }): { data: FloatArray; dims: number[] } {
  const w = new Variable(weight.data, weight.dims);
  const m = kroneckerSum({ data: hamiltonRules(weight.data instanceof Float32Array ? 'float32' : 'float64'), dims: [4, 4, 4] }, w);
  return { data: m.data, dims: [...m.dims] };
}

/**
 * Quaternion linear layer (Parcollet et al., "Quaternion recurrent neural networks", ICLR 2019; Gaudet &
 * Maida 2018): y = W ⊗ x + b over the last axis, x `[..., in]` → y `[..., out]`, features in
 * `[r | i | j | k]` blocks, i.e.
 *   y_r = W_r x_r − W_i x_i − W_j x_j − W_k x_k,   y_i = W_r x_i + W_i x_r + W_j x_k − W_k x_j,
 *   y_j = W_r x_j − W_i x_k + W_j x_r + W_k x_i,   y_k = W_r x_k + W_i x_j − W_j x_i + W_k x_r
 * (each W_c an `[out/4, in/4]` real matrix acting on a component block). `weight` `[4, out/4, in/4]`
 * holds the four blocks (in·out/4 parameters: 1/4 of a real Linear), `bias` `[out]`. Polar init (see
 * `quaternionPolarInit`). On the tape the real block matrix is assembled by `kroneckerSum` with the fixed
 * Hamilton rules and applied by `linear` (the shared matmul kernel); backward is their vjps.
 * O(rows·in·out + in·out) per call.
 */
export class QuaternionLinear extends Module {
  readonly weight: Variable;
  readonly bias: Variable | null;
  private readonly rules: Variable;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: QuaternionLinearOptions = {}) {
    super();
    quaternionWidth(inFeatures, 'inFeatures');
    quaternionWidth(outFeatures, 'outFeatures');
    const rng = options.rng ?? createRng(0);
    this.weight = parameter(quaternionPolarInit(inFeatures / 4, outFeatures / 4, { ...options, rng }), [4, outFeatures / 4, inFeatures / 4]);
    this.bias = options.bias === false ? null : parameter(zerosOf(outFeatures, options.dtype), [outFeatures]);
    this.rules = new Variable(hamiltonRules(options.dtype ?? 'float32'), [4, 4, 4]);
  }

  forward(x: Variable): Variable {
    return linear(x, kroneckerSum(this.rules, this.weight), this.bias ?? undefined);
  }
}
