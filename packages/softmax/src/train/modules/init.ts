import { fail } from '../../tensor/errors.js';
import { createRng, type Rng } from '../../tensor/rng.js';
import type { FloatArray } from '../../tensor/types.js';

/**
 * Weight initialisation schemes for a weight with fan-in n_in and fan-out n_out:
 * - `'normal'`: N(0, std²), std default 0.02 (GPT-2);
 * - `'xavier'`: U(−a, a), a = gain·√(6/(n_in + n_out)) (Glorot & Bengio 2010);
 * - `'kaiming'`: N(0, gain²/n_in), gain default √2 (He et al. 2015, for ReLU-like activations);
 * - `'mup'`: width-scaled (μP, Yang et al. 2021, "Tensor Programs V"): hidden and input weights
 *   N(0, std²·baseWidth/n_in), the read-out layer (`role: 'output'`) N(0, std²·(baseWidth/n_in)²), so
 *   activations and updates keep their scale as the width grows beyond `baseWidth`.
 */
export type InitScheme = 'normal' | 'xavier' | 'kaiming' | 'mup';

export interface InitOptions {
  scheme?: InitScheme;
  /** Standard deviation for 'normal' and 'mup' (default 0.02). */
  std?: number;
  /** Gain for 'xavier' (default 1) and 'kaiming' (default √2). */
  gain?: number;
  /** Width at which 'mup' equals 'normal' (default 64). */
  baseWidth?: number;
  /** 'output' for the read-out layer under 'mup'. */
  role?: 'hidden' | 'output';
  /** Seeded generator; default `createRng(0)`. */
  rng?: Rng;
  /** Float type of the parameters (default float32). */
  dtype?: 'float32' | 'float64';
}

/** An array of `size` values drawn by the scheme. */
export function initValues(size: number, fanIn: number, fanOut: number, options: InitOptions = {}): FloatArray {
  const rng = options.rng ?? createRng(0);
  const out = options.dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  const scheme = options.scheme ?? 'normal';
  const std = options.std ?? 0.02;
  if (!(std >= 0)) fail('E_PARAM', 'std', 'a number ≥ 0', std);
  switch (scheme) {
    case 'normal':
      for (let i = 0; i < size; i++) out[i] = std * rng.normal();
      break;
    case 'xavier': {
      const a = (options.gain ?? 1) * Math.sqrt(6 / Math.max(1, fanIn + fanOut));
      for (let i = 0; i < size; i++) out[i] = a * (2 * rng.next() - 1);
      break;
    }
    case 'kaiming': {
      const s = (options.gain ?? Math.SQRT2) / Math.sqrt(Math.max(1, fanIn));
      for (let i = 0; i < size; i++) out[i] = s * rng.normal();
      break;
    }
    case 'mup': {
      const ratio = (options.baseWidth ?? 64) / Math.max(1, fanIn);
      const s = std * (options.role === 'output' ? ratio : Math.sqrt(ratio));
      for (let i = 0; i < size; i++) out[i] = s * rng.normal();
      break;
    }
    default:
      fail('E_PARAM', 'scheme', "'normal', 'xavier', 'kaiming' or 'mup'", scheme);
  }
  return out;
}

/** A zero-filled parameter array of the requested float type. */
export function zerosOf(size: number, dtype: InitOptions['dtype']): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}
