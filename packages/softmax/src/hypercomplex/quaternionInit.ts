import { fail } from '../tensor/errors.js';
import { createRng, type Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';

export interface QuaternionInitOptions {
  /**
   * Modulus scale σ: `'he'` (default) σ = 1/√(2·fan_in), `'glorot'` σ = 1/√(2·(fan_in + fan_out)), with
   * fans counted in quaternion units.
   */
  criterion?: 'he' | 'glorot';
  /** Seeded generator; default `createRng(0)`. */
  rng?: Rng;
  /** Float type (default float32). */
  dtype?: 'float32' | 'float64';
}

/**
 * Polar initialisation of quaternion weights (Parcollet et al., "Quaternion recurrent neural networks",
 * ICLR 2019): each weight w = φ·(cos θ + u·sin θ) with modulus φ = σ·χ₄ (a chi variable with 4 degrees
 * of freedom: the norm of four standard normals), phase θ ~ U(−π, π) and a uniformly random unit pure
 * quaternion u = (u_i, u_j, u_k). Returns the four component blocks `[4, fanOut, fanIn]`
 * (w_r block, then w_i, w_j, w_k): E|w|² = 4σ², Var(w_r) = 2σ², Var(w_i) = Var(w_j) = Var(w_k) = 2σ²/3.
 * O(fanIn·fanOut).
 */
export function quaternionPolarInit(fanIn: number, fanOut: number, options: QuaternionInitOptions = {}): FloatArray {
  const rng = options.rng ?? createRng(0);
  const criterion = options.criterion ?? 'he';
  if (criterion !== 'he' && criterion !== 'glorot') fail('E_PARAM', 'criterion', "'he' or 'glorot'", criterion);
  const sigma = criterion === 'he' ? 1 / Math.sqrt(2 * Math.max(1, fanIn)) : 1 / Math.sqrt(2 * Math.max(1, fanIn + fanOut));
  const n = fanIn * fanOut;
  const out = options.dtype === 'float64' ? new Float64Array(4 * n) : new Float32Array(4 * n);
  for (let e = 0; e < n; e++) {
    let chi = 0;
    for (let t = 0; t < 4; t++) chi += rng.normal() ** 2;
    const modulus = sigma * Math.sqrt(chi);
    const theta = Math.PI * (2 * rng.next() - 1);
    let ux = rng.normal();
    let uy = rng.normal();
    let uz = rng.normal();
    const len = Math.hypot(ux, uy, uz) || 1;
    ux /= len;
    uy /= len;
    uz /= len;
    const s = modulus * Math.sin(theta);
    out[e] = modulus * Math.cos(theta);
    out[n + e] = s * ux;
    out[2 * n + e] = s * uy;
    out[3 * n + e] = s * uz;
  }
  return out;
}
