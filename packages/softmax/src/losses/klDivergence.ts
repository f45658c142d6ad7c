import { fail } from '../tensor/errors.js';
import { oneOf, optionsObject, positiveFinite } from '../tensor/options.js';
import type { FloatArray, Input } from '../tensor/types.js';
import { resolveOut, toView, type TensorView } from '../tensor/view.js';

export interface KlDivergenceOptions {
  /** Softening temperature τ > 0 applied to both logit sets. Default 1. */
  temperature?: number;
  /** Multiply the loss (and its gradients) by τ², Hinton et al.'s distillation convention. Default false. */
  scaleByTemperatureSquared?: boolean;
  /** `'mean'` over rows (default; PyTorch's `'batchmean'`), `'sum'`, or `'none'` (one value per row). */
  reduction?: 'mean' | 'sum' | 'none';
}

export interface KlDivergenceVjpOptions extends KlDivergenceOptions {
  /** The logits of P (the target / teacher), as in the forward call (required). */
  pLogits: Input;
  /** The logits of Q (the model / student), as in the forward call (required). */
  qLogits: Input;
}

/** Gradients of the loss w.r.t. both logit sets, each in its input's form and float type. */
export interface KlDivergenceGradients {
  dp: FloatArray | { data: FloatArray; dims: number[] };
  dq: FloatArray | { data: FloatArray; dims: number[] };
}

interface KlCall {
  p: TensorView;
  q: TensorView;
  rows: number;
  classes: number;
  s: number;
  factor: number;
  reduction: 'mean' | 'sum' | 'none';
}

function parseCall(pLogits: Input, qLogits: Input, o: KlDivergenceOptions): KlCall {
  const p = toView(pLogits, 'pLogits');
  const q = toView(qLogits, 'qLogits');
  if (p.dims.length === 0) fail('E_SHAPE', 'pLogits', 'at least one dimension (the classes)', '[]');
  if (q.dims.length !== p.dims.length || q.dims.some((d, i) => d !== p.dims[i])) {
    fail('E_SHAPE', 'qLogits', `dims [${p.dims.join(', ')}] (the shape of pLogits)`, `[${q.dims.join(', ')}]`);
  }
  if (q.data.constructor !== p.data.constructor) fail('E_DTYPE', 'qLogits', `a ${p.data.constructor.name} (the float type of pLogits)`);
  const classes = p.dims[p.dims.length - 1];
  const rows = classes === 0 ? p.dims.slice(0, -1).reduce((a, d) => a * d, 1) : p.data.length / classes;
  const tau = positiveFinite(o.temperature, 'temperature', 1);
  const scaled = o.scaleByTemperatureSquared;
  if (scaled !== undefined && typeof scaled !== 'boolean') fail('E_PARAM', 'scaleByTemperatureSquared', 'a boolean', scaled);
  const reduction = oneOf(o.reduction, 'reduction', ['mean', 'sum', 'none'] as const, 'mean');
  return { p, q, rows, classes, s: 1 / tau, factor: scaled ? tau * tau : 1, reduction };
}

/**
 * log-softmax of s·x[o .. o+n) into out; false when the row has no distribution (NaN or +∞ in it, or
 * every entry −∞).
 */
function logSoftmaxRow(x: FloatArray, o: number, n: number, s: number, out: Float64Array): boolean {
  let m = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = s * x[o + i];
    if (Number.isNaN(v) || v === Infinity) return false;
    if (v > m) m = v;
  }
  if (m === -Infinity) return false;
  let d = 0;
  for (let i = 0; i < n; i++) d += Math.exp(s * x[o + i] - m);
  const lse = m + Math.log(d);
  for (let i = 0; i < n; i++) out[i] = s * x[o + i] - lse;
  return true;
}

/** KL(P‖Q) of one row from log P and log Q; terms with P_i = 0 are 0 (also where log Q_i = −∞). */
function klRow(lp: Float64Array, lq: Float64Array, n: number): number {
  let kl = 0;
  for (let i = 0; i < n; i++) {
    if (lp[i] === -Infinity) continue;
    const pi = Math.exp(lp[i]);
    if (pi === 0) continue;
    kl += pi * (lp[i] - lq[i]);
  }
  return kl;
}

function klDivergenceForward(pLogits: Input, qLogits: Input, opts?: KlDivergenceOptions): number | FloatArray {
  const o = optionsObject(opts);
  const c = parseCall(pLogits, qLogits, o);
  const n = c.classes;
  const lp = new Float64Array(n);
  const lq = new Float64Array(n);
  const losses = new Float64Array(c.rows);
  for (let r = 0; r < c.rows; r++) {
    const ok = logSoftmaxRow(c.p.data, r * n, n, c.s, lp) && logSoftmaxRow(c.q.data, r * n, n, c.s, lq);
    losses[r] = ok ? c.factor * klRow(lp, lq, n) : NaN;
  }
  if (c.reduction === 'none') return c.p.data instanceof Float32Array ? Float32Array.from(losses) : losses;
  let total = 0;
  for (let r = 0; r < c.rows; r++) total += losses[r];
  return c.reduction === 'sum' ? total : total / c.rows;
}

/**
 * Gradients of f·KL(softmax(p/τ) ‖ softmax(q/τ)) per row (f = τ² or 1), times the upstream gradient:
 * ∂/∂q_i = f·(Q_i − P_i)/τ and ∂/∂p_i = f·P_i·(log P_i − log Q_i − KL)/τ (0 where P_i = 0). Rows without a
 * distribution get NaN. O(C) per row.
 */
function klDivergenceVjp(_y: number | Input, dy: number | ArrayLike<number>, opts: KlDivergenceVjpOptions): KlDivergenceGradients {
  const o = optionsObject(opts);
  if (o.pLogits === undefined) fail('E_PARAM', 'pLogits', 'the P logits as opts.pLogits (klDivergence.vjp needs them)');
  if (o.qLogits === undefined) fail('E_PARAM', 'qLogits', 'the Q logits as opts.qLogits (klDivergence.vjp needs them)');
  const c = parseCall(o.pLogits, o.qLogits, o);
  const n = c.classes;
  let scales: ArrayLike<number>;
  if (c.reduction === 'none') {
    if (typeof dy === 'number' || dy.length !== c.rows) fail('E_SHAPE', 'dy', `${c.rows} values (one per row, reduction 'none')`, dy);
    scales = dy;
  } else {
    if (typeof dy !== 'number' || !Number.isFinite(dy)) fail('E_PARAM', 'dy', 'a finite number (the upstream gradient of the reduced loss)', dy);
    scales = new Float64Array(c.rows).fill(c.reduction === 'mean' ? dy / c.rows : dy);
  }
  const dp = resolveOut(c.p.data, c.p.data.length, undefined);
  const dq = resolveOut(c.q.data, c.q.data.length, undefined);
  const lp = new Float64Array(n);
  const lq = new Float64Array(n);
  for (let r = 0; r < c.rows; r++) {
    const off = r * n;
    const ok = logSoftmaxRow(c.p.data, off, n, c.s, lp) && logSoftmaxRow(c.q.data, off, n, c.s, lq);
    if (!ok) {
      dp.fill(NaN, off, off + n);
      dq.fill(NaN, off, off + n);
      continue;
    }
    const kl = klRow(lp, lq, n);
    const k = (scales[r] * c.factor) * c.s;
    for (let i = 0; i < n; i++) {
      const pi = lp[i] === -Infinity ? 0 : Math.exp(lp[i]);
      const qi = lq[i] === -Infinity ? 0 : Math.exp(lq[i]);
      dq[off + i] = k * (qi - pi);
      dp[off + i] = pi === 0 ? 0 : k * pi * (lp[i] - lq[i] - kl);
    }
  }
  const wrap = (v: TensorView, d: FloatArray) => (v.isRow ? d : { data: d, dims: [...v.dims] });
  return { dp: wrap(c.p, dp), dq: wrap(c.q, dq) };
}

/**
 * KL divergence between the softened distributions of two logit sets, per row along the last axis:
 * KL(P ‖ Q) = Σ_i P_i (log P_i − log Q_i), P = softmax(p/τ), Q = softmax(q/τ); times τ² with
 * `scaleByTemperatureSquared` (knowledge distillation: Hinton, Vinyals, Dean 2015, "Distilling the
 * Knowledge in a Neural Network" — the τ² keeps the soft-target gradients' scale independent of τ).
 * For distillation pass the teacher as P and the student as Q.
 *
 * - `pLogits`, `qLogits`: the same shape and float type, `{ data, dims: [..., classes] }` or one row.
 * - Reductions: `'mean'` over rows (PyTorch's `'batchmean'`, the mathematically correct mean), `'sum'`,
 *   `'none'` (per-row values in the logits' float type). Computed from log-softmax rows in float64.
 * - Special values: −∞ logits are masked classes. A class with P_i = 0 contributes 0; one with P_i > 0
 *   and Q_i = 0 makes the row +∞. A row with NaN or +∞, or with every entry −∞ (in either input), has
 *   no distribution: NaN. KL ≥ 0, and 0 iff P = Q (e.g. p and q differing by a constant shift).
 * - O(C) per row.
 *
 * `klDivergence.vjp(y, dy, { pLogits, qLogits, ...options })` returns `{ dp, dq }`.
 *
 * @example klDivergence([0, 0], [Math.log(3), 0]) // KL([½, ½] ‖ [¾, ¼]) = ½·ln(2/3) + ½·ln 2 = 0.1438…
 */
export const klDivergence = Object.assign(klDivergenceForward, { vjp: klDivergenceVjp });
