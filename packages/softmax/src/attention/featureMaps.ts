/**
 * Feature maps φ of kernelised linear attention: sim(q, k) = φ_q(q)ᵀ φ_k(k) ≥ 0.
 *
 * Built in: `'elu1'` (Katharopoulos et al. 2020), `'relu'`, `'hedgehog'` (Zhang et al. 2024) and
 * `'nalaformer'` (Meng et al. 2025). A user map is a function `(x, role) => features` or an object
 * `{ map, vjp }` (the vjp is needed by `linearAttention.vjp`). All maps act on one head vector at a time
 * and are evaluated in float64.
 */
import { fail } from '../tensor/errors.js';
import { finiteInRange, optionsObject } from '../tensor/options.js';
import type { TensorLike } from '../tensor/types.js';
import { checkTensor } from './linearShapes.js';

/** Which side of the kernel a vector is on (NaLaFormer and Hedgehog treat queries and keys differently). */
export type FeatureRole = 'query' | 'key';

/** Names of the built-in feature maps. */
export type FeatureMapName = 'elu1' | 'relu' | 'hedgehog' | 'nalaformer';

/**
 * A user feature map. `map(x, role)` returns φ(x) (any fixed length m ≥ 1, the same for queries and
 * keys); `vjp(x, role, dPhi)` returns (∂φ/∂x)ᵀ·dPhi (length of x). Both receive float64 copies.
 * `map` is called once on a zero vector when the option is resolved, to learn m.
 */
export interface CustomFeatureMap {
  map(x: Float64Array, role: FeatureRole): ArrayLike<number>;
  vjp?(x: Float64Array, role: FeatureRole, dPhi: Float64Array): ArrayLike<number>;
}

/** The `featureMap` option: a built-in name, a function `(x, role) => φ(x)`, or a {@link CustomFeatureMap}. */
export type FeatureMapOption = FeatureMapName | ((x: Float64Array, role: FeatureRole) => ArrayLike<number>) | CustomFeatureMap;

/** Options of the `'hedgehog'` map. */
export interface HedgehogOptions {
  /** W_q as a tensor `[m, headDim]` (m ≥ 1 rows, each a feature direction). Default: the identity (m = headDim). */
  queryWeight?: TensorLike;
  /** W_k as a tensor `[m, headDim]` (same m as W_q). Default: the identity. */
  keyWeight?: TensorLike;
}

/** Options of the `'nalaformer'` map. */
export interface NalaformerOptions {
  /** λ of the query power p(‖q‖) = λ·(½ + tanh ‖q‖); finite, > 0. Default 3 (the official code). */
  lambda?: number;
  /** γ of the key power |k_i|^γ; finite, ≥ 1. Default 3 (the official code cubes the keys). */
  keyPower?: number;
}

/** Accumulators of feature-map parameter gradients (only the maps with parameters write to them). */
export interface FeatureParamGrads {
  /** ∂/∂W_q of Hedgehog, [m·headDim], row-major. */
  queryWeight: Float64Array | null;
  keyWeight: Float64Array | null;
  /** ∂/∂λ of NaLaFormer. */
  lambda: number;
}

/** A resolved feature map for head dimension d: m features per vector. */
export interface ResolvedFeatureMap {
  readonly m: number;
  readonly name: string;
  /** φ(x[xo..xo+d)) → out[oo..oo+m). */
  forward(x: Float64Array, xo: number, role: FeatureRole, out: Float64Array, oo: number): void;
  /** dx[dxo..dxo+d) = (∂φ/∂x)ᵀ dPhi[po..po+m); parameter gradients are added to `grads`. Null: not differentiable. */
  backward: ((x: Float64Array, xo: number, role: FeatureRole, dPhi: Float64Array, po: number, dx: Float64Array, dxo: number, grads: FeatureParamGrads) => void) | null;
}

/** elu(x) + 1 = x + 1 for x > 0, exp(x) otherwise: positive, C¹. */
function elu1Map(d: number): ResolvedFeatureMap {
  return {
    m: d,
    name: 'elu1',
    forward(x, xo, _role, out, oo) {
      for (let i = 0; i < d; i++) {
        const v = x[xo + i];
        out[oo + i] = v > 0 ? v + 1 : Math.exp(v);
      }
    },
    backward(x, xo, _role, dPhi, po, dx, dxo) {
      for (let i = 0; i < d; i++) {
        const v = x[xo + i];
        dx[dxo + i] = dPhi[po + i] * (v > 0 ? 1 : Math.exp(v));
      }
    },
  };
}

/** max(x, 0); the derivative at 0 is taken as 0. */
function reluMap(d: number): ResolvedFeatureMap {
  return {
    m: d,
    name: 'relu',
    forward(x, xo, _role, out, oo) {
      for (let i = 0; i < d; i++) out[oo + i] = Math.max(x[xo + i], 0);
    },
    backward(x, xo, _role, dPhi, po, dx, dxo) {
      for (let i = 0; i < d; i++) dx[dxo + i] = x[xo + i] > 0 ? dPhi[po + i] : 0;
    },
  };
}

function hedgehogWeight(w: TensorLike | undefined, name: string, d: number): { data: Float64Array; m: number } {
  if (w === undefined) {
    const data = new Float64Array(d * d);
    for (let i = 0; i < d; i++) data[i * d + i] = 1;
    return { data, m: d };
  }
  const t = checkTensor(w, name, 2);
  if (t.dims[1] !== d || t.dims[0] < 1) fail('E_SHAPE', `${name}.dims`, `[m ≥ 1, ${d}] (headDim columns)`, `[${t.dims.join(', ')}]`);
  for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) fail('E_PARAM', `${name}.data[${i}]`, 'a finite number', t.data[i]);
  return { data: Float64Array.from(t.data), m: t.dims[0] };
}

/**
 * Hedgehog: z = W x, φ(x) = softmax([z, −z]) = [exp(z), exp(−z)] / Σ(exp(z) + exp(−z)) (2m features).
 * The paper's features are [exp(Wx), exp(−Wx)]; the official implementations normalise them by their sum
 * (a softmax over the 2m features), which keeps them in (0, 1] for any input. For queries that factor
 * cancels in the attention ratio; for keys it is part of the learned map.
 */
function hedgehogMap(d: number, opts: HedgehogOptions): ResolvedFeatureMap {
  const wq = hedgehogWeight(opts.queryWeight, 'hedgehog.queryWeight', d);
  const wk = hedgehogWeight(opts.keyWeight, 'hedgehog.keyWeight', d);
  if (wq.m !== wk.m) fail('E_SHAPE', 'hedgehog.keyWeight.dims', `${wq.m} rows (as hedgehog.queryWeight)`, wk.m);
  const m = wq.m;
  const z = new Float64Array(m);
  const phi = new Float64Array(2 * m);
  const dz = new Float64Array(m);
  function features(x: Float64Array, xo: number, w: Float64Array, out: Float64Array, oo: number): void {
    let top = 0;
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += w[r * d + i] * x[xo + i];
      z[r] = s;
      if (Math.abs(s) > top) top = Math.abs(s);
    }
    let sum = 0;
    for (let r = 0; r < m; r++) {
      const a = Math.exp(z[r] - top);
      const b = Math.exp(-z[r] - top);
      out[oo + r] = a;
      out[oo + m + r] = b;
      sum += a + b;
    }
    for (let j = 0; j < 2 * m; j++) out[oo + j] /= sum;
  }
  return {
    m: 2 * m,
    name: 'hedgehog',
    forward(x, xo, role, out, oo) {
      features(x, xo, role === 'query' ? wq.data : wk.data, out, oo);
    },
    backward(x, xo, role, dPhi, po, dx, dxo, grads) {
      const w = role === 'query' ? wq.data : wk.data;
      features(x, xo, w, phi, 0);
      // Softmax vjp: da = φ ⊙ (dφ − ⟨dφ, φ⟩); z enters as +z and −z.
      let dot = 0;
      for (let j = 0; j < 2 * m; j++) dot += dPhi[po + j] * phi[j];
      for (let r = 0; r < m; r++) dz[r] = phi[r] * (dPhi[po + r] - dot) - phi[m + r] * (dPhi[po + m + r] - dot);
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += w[r * d + i] * dz[r];
        dx[dxo + i] = s;
      }
      const gw = role === 'query' ? grads.queryWeight : grads.keyWeight;
      if (gw) for (let r = 0; r < m; r++) for (let i = 0; i < d; i++) gw[r * d + i] += dz[r] * x[xo + i];
    },
  };
}

/**
 * NaLaFormer (norm-aware): norm and direction are separated.
 * - query: u = q/‖q‖, p = λ·(½ + tanh ‖q‖), φ_q(q) = [relu(u)^p, relu(−u)^p];
 * - key:   φ_k(k) = [relu(k)^γ, relu(−k)^γ].
 * Opposite-sign dimensions never interact (their products are 0), so the kernel is non-negative without
 * discarding the negative half of the vectors. φ_q(0) = 0.
 */
function nalaformerMap(d: number, opts: NalaformerOptions): ResolvedFeatureMap {
  const lambda = opts.lambda === undefined ? 3 : finiteInRange(opts.lambda, 'nalaformer.lambda', Number.MIN_VALUE, Number.MAX_VALUE, 3);
  const gamma = opts.keyPower === undefined ? 3 : finiteInRange(opts.keyPower, 'nalaformer.keyPower', 1, Number.MAX_VALUE, 3);
  const du = new Float64Array(d);
  return {
    m: 2 * d,
    name: 'nalaformer',
    forward(x, xo, role, out, oo) {
      if (role === 'key') {
        for (let i = 0; i < d; i++) {
          const v = x[xo + i];
          out[oo + i] = v > 0 ? Math.pow(v, gamma) : 0;
          out[oo + d + i] = v < 0 ? Math.pow(-v, gamma) : 0;
        }
        return;
      }
      let r2 = 0;
      for (let i = 0; i < d; i++) r2 += x[xo + i] * x[xo + i];
      const r = Math.sqrt(r2);
      const p = lambda * (0.5 + Math.tanh(r));
      for (let i = 0; i < d; i++) {
        const u = r > 0 ? x[xo + i] / r : 0;
        out[oo + i] = u > 0 ? Math.pow(u, p) : 0;
        out[oo + d + i] = u < 0 ? Math.pow(-u, p) : 0;
      }
    },
    backward(x, xo, role, dPhi, po, dx, dxo, grads) {
      if (role === 'key') {
        for (let i = 0; i < d; i++) {
          const v = x[xo + i];
          if (v > 0) dx[dxo + i] = dPhi[po + i] * gamma * Math.pow(v, gamma - 1);
          else if (v < 0) dx[dxo + i] = -dPhi[po + d + i] * gamma * Math.pow(-v, gamma - 1);
          else dx[dxo + i] = 0;
        }
        return;
      }
      let r2 = 0;
      for (let i = 0; i < d; i++) r2 += x[xo + i] * x[xo + i];
      const r = Math.sqrt(r2);
      if (r === 0) {
        for (let i = 0; i < d; i++) dx[dxo + i] = 0;
        return;
      }
      const th = Math.tanh(r);
      const p = lambda * (0.5 + th);
      // φ_i = |u_i|^p on the side of sign(u_i): ∂φ_i = sign(u_i)·p|u_i|^(p−1)·∂u_i + |u_i|^p·ln|u_i|·∂p.
      let dp = 0;
      let uDotDu = 0;
      for (let i = 0; i < d; i++) {
        const u = x[xo + i] / r;
        const a = Math.abs(u);
        if (a === 0) {
          du[i] = 0;
          continue;
        }
        const g = u > 0 ? dPhi[po + i] : dPhi[po + d + i];
        du[i] = g * Math.sign(u) * p * Math.pow(a, p - 1);
        dp += g * Math.pow(a, p) * Math.log(a);
        uDotDu += u * du[i];
      }
      // u = q/r: ∂u/∂q = (I − u uᵀ)/r; p depends on r = ‖q‖ with ∂r/∂q = u.
      const dr = dp * lambda * (1 - th * th);
      for (let i = 0; i < d; i++) {
        const u = x[xo + i] / r;
        dx[dxo + i] = (du[i] - u * uDotDu) / r + dr * u;
      }
      grads.lambda += dp * (0.5 + th);
    },
  };
}

function customMap(d: number, f: CustomFeatureMap, name: string): ResolvedFeatureMap {
  const probe = f.map(new Float64Array(d), 'query');
  const m = probe === null || probe === undefined ? 0 : probe.length;
  if (!Number.isSafeInteger(m) || m < 1) fail('E_PARAM', name, 'a feature map returning at least one feature', probe);
  const xs = new Float64Array(d);
  const dp = new Float64Array(m);
  const check = (y: ArrayLike<number>, len: number, what: string): ArrayLike<number> => {
    if (y === null || y === undefined || y.length !== len) fail('E_PARAM', name, `${what} of length ${len}`, y);
    return y;
  };
  const vjp = f.vjp;
  return {
    m,
    name: 'custom',
    forward(x, xo, role, out, oo) {
      for (let i = 0; i < d; i++) xs[i] = x[xo + i];
      const y = check(f.map(xs.slice(), role), m, 'a feature vector');
      for (let j = 0; j < m; j++) out[oo + j] = y[j];
    },
    backward: vjp
      ? (x, xo, role, dPhi, po, dx, dxo) => {
        for (let i = 0; i < d; i++) xs[i] = x[xo + i];
        for (let j = 0; j < m; j++) dp[j] = dPhi[po + j];
        const g = check(vjp.call(f, xs.slice(), role, dp.slice()), d, 'a vjp result');
        for (let i = 0; i < d; i++) dx[dxo + i] = g[i];
      }
      : null,
  };
}

/** Resolves the `featureMap` option for head dimension d. */
export function resolveFeatureMap(option: unknown, d: number, hedgehog: unknown, nalaformer: unknown): ResolvedFeatureMap {
  const map = option === undefined ? 'elu1' : option;
  if (typeof map === 'function') return customMap(d, { map: map as CustomFeatureMap['map'] }, 'featureMap');
  if (typeof map === 'object' && map !== null && typeof (map as CustomFeatureMap).map === 'function') {
    const f = map as CustomFeatureMap;
    if (f.vjp !== undefined && typeof f.vjp !== 'function') fail('E_PARAM', 'featureMap.vjp', 'a function', f.vjp);
    return customMap(d, f, 'featureMap');
  }
  switch (map) {
    case 'elu1':
      return elu1Map(d);
    case 'relu':
      return reluMap(d);
    case 'hedgehog':
      return hedgehogMap(d, optionsObject(hedgehog as HedgehogOptions | undefined, 'hedgehog'));
    case 'nalaformer':
      return nalaformerMap(d, optionsObject(nalaformer as NalaformerOptions | undefined, 'nalaformer'));
    default:
      return fail('E_PARAM', 'featureMap', "'elu1', 'relu', 'hedgehog', 'nalaformer', a function or { map, vjp }", map);
  }
}

/** Parameter-gradient accumulators for a resolved map (Hedgehog weights sized m/2 × d). */
export function newParamGrads(fm: ResolvedFeatureMap, d: number): FeatureParamGrads {
  const hedgehog = fm.name === 'hedgehog';
  return {
    queryWeight: hedgehog ? new Float64Array((fm.m / 2) * d) : null,
    keyWeight: hedgehog ? new Float64Array((fm.m / 2) * d) : null,
    lambda: 0,
  };
}
