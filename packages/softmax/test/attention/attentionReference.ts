/**
 * A direct, materialised float64 attention written for the tests (never the library): scores
 * S = scale·Q·Kᵀ/τ + mask, a row map written here from its formula, O = A·V, then an optional gate.
 * Also independent row maps (softmax, sparsemax by sorting, 1.5-entmax by bisection, sigmoid, relu,
 * softplus, clipped and scalable softmax) and random problem makers.
 */
import { rng } from '../ops/helpers.js';

export interface Sizes {
  batch: number;
  qHeads: number;
  kvHeads: number;
  lq: number;
  lk: number;
  d: number;
  dv: number;
}

export interface Problem {
  s: Sizes;
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
}

export function makeProblem(s: Sizes, seed: number, amp = 1.5): Problem {
  const rand = rng(seed);
  const fill = (n: number) => Float64Array.from({ length: n }, () => amp * (2 * rand() - 1));
  return { s, q: fill(s.batch * s.qHeads * s.lq * s.d), k: fill(s.batch * s.kvHeads * s.lk * s.d), v: fill(s.batch * s.kvHeads * s.lk * s.dv) };
}

export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const rand = rng(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

type Conv<T> = (x: Float64Array) => T;
export function tensors<T extends Float32Array | Float64Array>(p: Problem, conv: Conv<T>) {
  const { s } = p;
  return {
    q: { data: conv(p.q), dims: [s.batch, s.qHeads, s.lq, s.d] },
    k: { data: conv(p.k), dims: [s.batch, s.kvHeads, s.lk, s.d] },
    v: { data: conv(p.v), dims: [s.batch, s.kvHeads, s.lk, s.dv] },
  };
}
export const as64 = (x: Float64Array) => x.slice();
export const as32 = (x: Float64Array) => Float32Array.from(x);

/** A row map on one row of scores (−∞ = masked). Returns the weights. */
export type RowMap = (row: number[]) => number[];

const masked = (row: number[]) => row.every((x) => x === -Infinity);

export const refSoftmaxRow: RowMap = (row) => {
  if (masked(row)) return row.map(() => 0);
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
};

/** Sparsemax by sorting (Martins & Astudillo 2016, Algorithm 1). */
export const refSparsemaxRow: RowMap = (row) => {
  if (masked(row)) return row.map(() => 0);
  const z = row.filter((x) => x !== -Infinity).sort((a, b) => b - a);
  let cum = 0;
  let tau = 0;
  for (let k = 1; k <= z.length; k++) {
    cum += z[k - 1];
    if (1 + k * z[k - 1] > cum) tau = (cum - 1) / k;
  }
  return row.map((x) => (x === -Infinity ? 0 : Math.max(x - tau, 0)));
};

/** 1.5-entmax: p_i = [z_i/2 − τ]_+², τ by bisection so that Σ p = 1 (Peters, Niculae, Martins 2019). */
export const refEntmax15Row: RowMap = (row) => {
  if (masked(row)) return row.map(() => 0);
  const z = row.map((x) => x / 2);
  const m = Math.max(...z);
  let lo = m - 1;
  let hi = m;
  const mass = (t: number) => z.reduce((a, x) => a + (x > t ? (x - t) ** 2 : 0), 0);
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (mass(mid) > 1) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  const p = z.map((x) => (x > t ? (x - t) ** 2 : 0));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / sum);
};

export const refSigmoidRow = (bias: number): RowMap => (row) => row.map((x) => (x === -Infinity ? 0 : 1 / (1 + Math.exp(-(x + bias)))));

export const refReluRow: RowMap = (row) => row.map((x) => (x === -Infinity ? 0 : Math.max(x, 0)));

/** Softplus attention: softplus(λ·s)^p / Σ, λ = ln(kept count) (or 1 without length scaling). */
export const refSoftplusRow = (power = 1, lengthScale = true, length?: number): RowMap => (row) => {
  if (masked(row)) return row.map(() => 0);
  const n = length ?? row.filter((x) => x !== -Infinity).length;
  const lam = lengthScale ? Math.log(n) : 1;
  const phi = row.map((x) => (x === -Infinity ? 0 : Math.log(1 + Math.exp(lam * x)) ** power));
  const sum = phi.reduce((a, b) => a + b, 0);
  return phi.map((x) => x / sum);
};

/** Clipped softmax: clip((ζ − γ)·softmax + γ, 0, 1) (Bondarenko et al. 2023). */
export const refClippedRow = (gamma: number, zeta = 1): RowMap => (row) =>
  refSoftmaxRow(row).map((p, j) => (row[j] === -Infinity || masked(row) ? 0 : Math.min(1, Math.max(0, (zeta - gamma) * p + gamma))));

/** Scalable softmax: softmax(s·ln(n)·x), n = kept entries (Nakanishi 2025). */
export const refScalableRow = (sParam = 1): RowMap => (row) => {
  const n = row.filter((x) => x !== -Infinity).length;
  return refSoftmaxRow(row.map((x) => (x === -Infinity ? x : sParam * Math.log(n) * x)));
};

export interface RefOptions {
  scale?: number;
  causal?: boolean;
  /** Additive mask value of entry (b, h, i, j); −∞ = masked. */
  mask?: (b: number, h: number, i: number, j: number) => number;
  /** τ per (b, h, i). */
  temperature?: (b: number, h: number, i: number) => number;
  map?: RowMap;
  /** Gate value sigmoid(G) for output element (b, h, i, c). */
  gate?: (b: number, h: number, i: number, c: number) => number;
}

/** Output [B, Hq, Lq, dv] and weights [B, Hq, Lq, Lk] by the textbook formula. */
export function refAttention(p: Problem, o: RefOptions = {}): { out: Float64Array; weights: Float64Array } {
  const { s } = p;
  const scale = o.scale ?? 1 / Math.sqrt(s.d);
  const map = o.map ?? refSoftmaxRow;
  const out = new Float64Array(s.batch * s.qHeads * s.lq * s.dv);
  const weights = new Float64Array(s.batch * s.qHeads * s.lq * s.lk);
  const group = s.qHeads / s.kvHeads;
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.qHeads; h++) {
      const kh = Math.floor(h / group);
      for (let i = 0; i < s.lq; i++) {
        const row: number[] = [];
        for (let j = 0; j < s.lk; j++) {
          let dot = 0;
          for (let c = 0; c < s.d; c++) dot += p.q[((b * s.qHeads + h) * s.lq + i) * s.d + c] * p.k[((b * s.kvHeads + kh) * s.lk + j) * s.d + c];
          let x = (scale * dot) / (o.temperature ? o.temperature(b, h, i) : 1);
          if (o.mask) x += o.mask(b, h, i, j);
          if (o.causal && j > i + s.lk - s.lq) x = -Infinity;
          row.push(x);
        }
        const a = s.lk === 0 ? [] : map(row);
        for (let j = 0; j < s.lk; j++) weights[((b * s.qHeads + h) * s.lq + i) * s.lk + j] = a[j];
        for (let c = 0; c < s.dv; c++) {
          let acc = 0;
          for (let j = 0; j < s.lk; j++) acc += a[j] * p.v[((b * s.kvHeads + kh) * s.lk + j) * s.dv + c];
          const idx = ((b * s.qHeads + h) * s.lq + i) * s.dv + c;
          out[idx] = acc * (o.gate ? o.gate(b, h, i, c) : 1);
        }
      }
    }
  }
  return { out, weights };
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
