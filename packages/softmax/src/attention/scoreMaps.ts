/**
 * Score maps that only attention has: elementwise maps of the scores, with no row normalisation
 * (sigmoid, ReLU) or their own (softplus with ℓ1 normalisation). Each is a `RowOp` with its vjp.
 */
import { fail } from '../tensor/errors.js';
import { finiteInRange, integerInRange } from '../tensor/options.js';
import type { AttentionScoreMapName } from './attentionTypes.js';
import type { RowOp } from './rowOp.js';

export const SCORE_MAPS: readonly AttentionScoreMapName[] = ['sigmoid', 'relu', 'softplus'];

function allowKeys(o: Record<string, unknown>, allowed: readonly string[], map: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      const what = allowed.length ? `one of ${allowed.map((a) => `'${a}'`).join(', ')}` : 'no options';
      fail('E_PARAM', `normalizerOptions.${key}`, `${what} (the options of the '${map}' score map)`, key);
    }
  }
}

/** Logistic function without overflow: 1/(1 + e^−x), e^x/(1 + e^x) for x < 0. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(u) = ln(1 + e^u) = max(u, 0) + ln(1 + e^−|u|). */
export function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/** ln softplus(u), accurate for very negative u (where softplus(u) ≈ e^u underflows): u − e^u/2. */
function logSoftplus(u: number): number {
  return u < -30 ? u - Math.exp(u) / 2 : Math.log(softplus(u));
}

/** d ln softplus(u)/du = sigmoid(u)/softplus(u) (→ 1 as u → −∞). */
function logSoftplusSlope(u: number): number {
  return u < -30 ? 1 - Math.exp(u) / 2 : sigmoid(u) / softplus(u);
}

/** Sigmoid attention: a = sigmoid(s + b), b = −ln Lk by default (Ramapuram et al. 2024). */
function sigmoidMap(o: Record<string, unknown>, lk: number): RowOp {
  allowKeys(o, ['bias'], 'sigmoid');
  const bias = finiteInRange(o.bias, 'normalizerOptions.bias', -Number.MAX_VALUE, Number.MAX_VALUE, lk > 0 ? -Math.log(lk) : 0);
  return {
    name: 'sigmoid',
    forward(s, a, rows, n) {
      for (let i = 0; i < rows * n; i++) a[i] = s[i] === -Infinity ? 0 : sigmoid(s[i] + bias);
    },
    vjp(s, a, dA, dS, rows, n) {
      for (let i = 0; i < rows * n; i++) dS[i] = s[i] === -Infinity ? 0 : dA[i] * a[i] * (1 - a[i]);
    },
  };
}

/** ReLU attention (ReLA): a = max(s, 0); at s = 0 the gradient is taken as 0. */
function reluMap(o: Record<string, unknown>): RowOp {
  allowKeys(o, [], 'relu');
  return {
    name: 'relu',
    forward(s, a, rows, n) {
      for (let i = 0; i < rows * n; i++) a[i] = s[i] === -Infinity ? 0 : Math.max(s[i], 0);
    },
    vjp(s, _a, dA, dS, rows, n) {
      for (let i = 0; i < rows * n; i++) dS[i] = s[i] > 0 ? dA[i] : s[i] !== s[i] ? NaN : 0;
    },
  };
}

/** Kept (not −∞) entries of row r; NaN counts as kept. */
function keptCount(s: Float64Array, r: number, n: number): number {
  let count = 0;
  for (let j = r * n; j < (r + 1) * n; j++) if (s[j] !== -Infinity) count++;
  return count;
}

/**
 * Softplus attention (LSSA, with optional re-weighting): φ_j = softplus(λ·s_j), λ = ln n,
 * a_j = φ_j^p / Σ_k φ_k^p. Computed as a softmax of z_j = p·ln φ_j, so no power or ratio overflows.
 */
function softplusMap(o: Record<string, unknown>): RowOp {
  allowKeys(o, ['lengthScale', 'length', 'power'], 'softplus');
  if (o.lengthScale !== undefined && typeof o.lengthScale !== 'boolean') fail('E_PARAM', 'normalizerOptions.lengthScale', 'true or false', o.lengthScale);
  const lengthScale = o.lengthScale !== false;
  const length = o.length === undefined ? undefined : integerInRange(o.length, 'normalizerOptions.length', 1, Number.MAX_SAFE_INTEGER);
  const power = finiteInRange(o.power, 'normalizerOptions.power', 1, Number.MAX_VALUE, 1);
  const lambda = (s: Float64Array, r: number, n: number): number => (lengthScale ? Math.log(length ?? keptCount(s, r, n)) : 1);
  return {
    name: 'softplus',
    forward(s, a, rows, n) {
      for (let r = 0; r < rows; r++) {
        const o0 = r * n;
        if (keptCount(s, r, n) === 0) {
          a.fill(0, o0, o0 + n);
          continue;
        }
        const lam = lambda(s, r, n);
        let m = -Infinity;
        let nan = false;
        for (let j = o0; j < o0 + n; j++) {
          if (s[j] === -Infinity) continue;
          const z = power * logSoftplus(lam * s[j]);
          a[j] = z;
          if (z !== z) nan = true;
          else if (z > m) m = z;
        }
        if (nan || m === Infinity) {
          a.fill(NaN, o0, o0 + n);
          continue;
        }
        let sum = 0;
        for (let j = o0; j < o0 + n; j++) {
          a[j] = s[j] === -Infinity ? 0 : Math.exp(a[j] - m);
          sum += a[j];
        }
        for (let j = o0; j < o0 + n; j++) a[j] /= sum;
      }
    },
    vjp(s, a, dA, dS, rows, n) {
      for (let r = 0; r < rows; r++) {
        const o0 = r * n;
        const lam = lambda(s, r, n);
        let dot = 0;
        for (let j = o0; j < o0 + n; j++) if (s[j] !== -Infinity) dot += a[j] * dA[j];
        for (let j = o0; j < o0 + n; j++) {
          dS[j] = s[j] === -Infinity ? 0 : lam * power * logSoftplusSlope(lam * s[j]) * a[j] * (dA[j] - dot);
        }
      }
    },
  };
}

/** The score map of that name with its validated options. */
export function scoreMap(name: AttentionScoreMapName, o: Record<string, unknown>, lk: number): RowOp {
  if (name === 'sigmoid') return sigmoidMap(o, lk);
  if (name === 'relu') return reluMap(o);
  return softplusMap(o);
}
