import { parseLabelledRows, type Labels } from '../../losses/labelledRows.js';
import { logSumExp } from '../../normalizers/logSumExp.js';
import { fail } from '../../tensor/errors.js';
import { optionsObject, positiveFinite } from '../../tensor/options.js';
import type { Input } from '../../tensor/types.js';

export interface FitTemperatureOptions {
  /** Smallest temperature searched (> 0). Default 0.05. */
  min?: number;
  /** Largest temperature searched (> min). Default 20. */
  max?: number;
  /** Rows with this label are left out of the fit. Default −100 (as crossEntropy). */
  ignoreIndex?: number;
}

export interface FitTemperatureResult {
  /** The NLL-minimising temperature T in [min, max]. */
  temperature: number;
  /** Mean negative log-likelihood of softmax(z) (T = 1), in nats. */
  nllBefore: number;
  /** Mean negative log-likelihood of softmax(z/T) at the fitted T, in nats. */
  nllAfter: number;
  /** Newton/bisection steps taken (0 when the optimum is at a bound). */
  iterations: number;
}

/** The labelled rows used by the fit, copied to float64, and their labels. */
interface FitData {
  z: Float64Array;
  dims: number[];
  rows: number;
  classes: number;
  labels: Int32Array;
}

/** Mean NLL at inverse temperature β: mean_r logSumExp(β·z_r) − β·z_{r,y_r}, via the library's logSumExp. */
function meanNll(f: FitData, beta: number): number {
  const lse = logSumExp({ data: f.z, dims: f.dims }, { temperature: 1 / beta }).data;
  let total = 0;
  for (let r = 0; r < f.rows; r++) total += lse[r] - beta * f.z[r * f.classes + f.labels[r]];
  return total / f.rows;
}

/**
 * First and second derivatives of the mean NLL in β: g = mean_r (E_p[z_r] − z_{r,y}), h = mean_r Var_p[z_r],
 * p = softmax(β·z_r). Two passes per row (mean, then centred variance: no cancellation).
 */
function derivatives(f: FitData, beta: number): { g: number; h: number } {
  const { z, classes: n } = f;
  let g = 0;
  let h = 0;
  for (let r = 0; r < f.rows; r++) {
    const o = r * n;
    let m = -Infinity;
    for (let i = o; i < o + n; i++) if (z[i] > m) m = z[i];
    let d = 0;
    let s1 = 0;
    for (let i = o; i < o + n; i++) {
      const e = Math.exp(beta * (z[i] - m));
      d += e;
      s1 += e * (z[i] - m);
    }
    const mean = s1 / d;
    let v = 0;
    for (let i = o; i < o + n; i++) {
      const c = z[i] - m - mean;
      v += Math.exp(beta * (z[i] - m)) * c * c;
    }
    g += mean + m - z[o + f.labels[r]];
    h += v / d;
  }
  return { g: g / f.rows, h: h / f.rows };
}

function fitData(logits: Input, labels: Labels, ignoreIndex: unknown): FitData {
  const c = parseLabelledRows(logits, labels, { ignoreIndex });
  const n = c.classes;
  if (c.valid === 0) fail('E_SHAPE', 'labels', 'at least one labelled row to fit on', 0);
  const z = new Float64Array(c.valid * n);
  const kept = new Int32Array(c.valid);
  const x = c.view.data;
  let k = 0;
  for (let r = 0; r < c.rows; r++) {
    if (c.labels[r] === c.ignoreIndex) continue;
    for (let i = 0; i < n; i++) {
      const v = x[r * n + i];
      if (!Number.isFinite(v)) fail('E_INPUT', `logits row ${r}`, 'finite logits (temperature scaling of −∞/NaN is undefined)', v);
      z[k * n + i] = v;
    }
    kept[k++] = c.labels[r];
  }
  return { z, dims: [c.valid, n], rows: c.valid, classes: n, labels: kept };
}

/**
 * Temperature scaling (Guo, Pleiss, Sun & Weinberger 2017, "On Calibration of Modern Neural Networks"):
 * the T minimising the mean negative log-likelihood  NLL(T) = mean_r [logSumExp(z_r/T) − z_{r,y_r}/T]
 * over T ∈ [min, max], typically fitted on a held-out validation set.
 *
 * - Exact 1-D minimisation: in β = 1/T the NLL is convex (its second derivative is the mean variance of
 *   the logits under softmax(β·z)), so the minimiser is the root of dNLL/dβ = mean (E_p[z] − z_y). The root
 *   is found by safeguarded Newton (Newton steps, bisection when a step leaves the bracket or h = 0) on
 *   [1/max, 1/min] to 1e-10 relative in β; if the derivative has one sign on the whole bracket the
 *   optimum is the corresponding bound. NLL values come from `logSumExp` (stable for any logit scale).
 * - `nllAfter ≤ nllBefore` whenever 1 ∈ [min, max] (T = 1 is a candidate).
 * - When the NLL is flat in T (every row constant, or every label's logit equal to the softmax mean for
 *   all β), T = 1 clamped to [min, max] is returned.
 * - Rows labelled `ignoreIndex` are skipped. Logits are copied to float64. O(rows × classes) per step,
 *   typically 5–10 steps.
 * - Errors: `E_PARAM` for min/max not finite > 0 or min ≥ max, or a label out of range; `E_INPUT` for a
 *   non-finite logit; `E_SHAPE` for label/row count mismatch or no labelled row.
 */
export function fitTemperature(logits: Input, labels: Labels, opts?: FitTemperatureOptions): FitTemperatureResult {
  const o = optionsObject(opts);
  const tMin = positiveFinite(o.min, 'min', 0.05);
  const tMax = positiveFinite(o.max, 'max', 20);
  if (!(tMin < tMax)) fail('E_PARAM', 'max', `a temperature > min (${tMin})`, tMax);
  const f = fitData(logits, labels, o.ignoreIndex);
  let lo = 1 / tMax;
  let hi = 1 / tMin;
  const gLo = derivatives(f, lo).g;
  const gHi = derivatives(f, hi).g;
  let beta: number;
  let iterations = 0;
  if (gLo >= 0 && gHi <= 0) beta = Math.min(hi, Math.max(lo, 1));
  else if (gLo >= 0) beta = lo;
  else if (gHi <= 0) beta = hi;
  else {
    // g is increasing (convexity): g(lo) < 0 < g(hi). Keep the bracket and take Newton steps inside it.
    beta = Math.min(hi, Math.max(lo, 1));
    for (iterations = 1; iterations <= 200; iterations++) {
      const { g, h } = derivatives(f, beta);
      if (g === 0) break;
      if (g < 0) lo = beta;
      else hi = beta;
      let next = h > 0 ? beta - g / h : NaN;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      const step = Math.abs(next - beta);
      beta = next;
      if (step <= 1e-10 * beta || hi - lo <= 1e-10 * beta) break;
    }
  }
  return { temperature: 1 / beta, nllBefore: meanNll(f, 1), nllAfter: meanNll(f, beta), iterations };
}
