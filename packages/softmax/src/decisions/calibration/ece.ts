import type { Labels } from '../../losses/labelledRows.js';
import { fail } from '../../tensor/errors.js';
import { oneOf, optionsObject } from '../../tensor/options.js';
import type { Input } from '../../tensor/types.js';
import { confidenceRows } from './confidence.js';

export interface CalibrationOptions {
  /** Number of bins, an integer ≥ 1. Default 15 (Guo et al. 2017). */
  bins?: number;
  /** `'width'` (default): equal-width bins on [0, 1]; `'mass'`: equal-count bins (adaptive ECE). */
  strategy?: 'width' | 'mass';
  /** Rows with this label are left out. Default −100. */
  ignoreIndex?: number;
}

export interface CalibrationBin {
  /** Lower edge: i/B for width bins; the smallest confidence in the bin for mass bins. */
  lower: number;
  /** Upper edge: (i+1)/B for width bins; the largest confidence in the bin for mass bins. */
  upper: number;
  /** Rows in the bin. */
  count: number;
  /** Mean confidence (max probability) of the bin's rows; NaN for an empty bin. */
  confidence: number;
  /** Fraction of the bin's rows whose argmax equals the label; NaN for an empty bin. */
  accuracy: number;
}

export interface CalibrationResult {
  /** Expected calibration error Σ_b (n_b/N)·|accuracy_b − confidence_b|. */
  ece: number;
  /** Maximum calibration error max_b |accuracy_b − confidence_b| over non-empty bins. */
  maxCalibrationError: number;
  /** Labelled rows N. */
  count: number;
  bins: CalibrationBin[];
}

export interface ReliabilityBin extends CalibrationBin {
  /** accuracy − confidence (> 0: under-confident, < 0: over-confident); NaN for an empty bin. */
  gap: number;
  /** count / N, the bin's weight in the ECE. */
  fraction: number;
}

export interface ReliabilityDiagram extends CalibrationResult {
  bins: ReliabilityBin[];
}

function parseBins(value: unknown): number {
  if (value === undefined) return 15;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail('E_PARAM', 'bins', 'an integer ≥ 1', value);
  return value;
}

/** Width bins: bin i holds confidences in (i/B, (i+1)/B]; bin 0 also holds 0 (Guo et al.'s convention). */
function widthBinOf(conf: number, b: number): number {
  let i = Math.min(b - 1, Math.max(0, Math.ceil(conf * b) - 1));
  // Correct the float product at edges so the test is exactly lower < conf ≤ upper with edges i/B.
  while (i > 0 && conf <= i / b) i--;
  while (i < b - 1 && conf > (i + 1) / b) i++;
  return i;
}

function summarise(lower: number, upper: number, count: number, sumConf: number, sumCorrect: number): CalibrationBin {
  return {
    lower,
    upper,
    count,
    confidence: count > 0 ? sumConf / count : NaN,
    accuracy: count > 0 ? sumCorrect / count : NaN,
  };
}

function binsOf(confidence: Float64Array, correct: Uint8Array, b: number, strategy: 'width' | 'mass'): CalibrationBin[] {
  const n = confidence.length;
  const bins: CalibrationBin[] = [];
  if (strategy === 'width') {
    const count = new Float64Array(b);
    const sumConf = new Float64Array(b);
    const sumCorrect = new Float64Array(b);
    for (let r = 0; r < n; r++) {
      const i = widthBinOf(confidence[r], b);
      count[i]++;
      sumConf[i] += confidence[r];
      sumCorrect[i] += correct[r];
    }
    for (let i = 0; i < b; i++) bins.push(summarise(i / b, (i + 1) / b, count[i], sumConf[i], sumCorrect[i]));
    return bins;
  }
  // Mass bins: sort by confidence, split into min(B, N) consecutive runs of ⌊N/B⌋ or ⌈N/B⌉ rows (as
  // numpy.array_split; Nixon et al. 2019's adaptive calibration error). Ties may straddle a boundary.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, c) => confidence[a] - confidence[c] || a - c);
  const parts = Math.min(b, n);
  for (let i = 0; i < parts; i++) {
    const start = Math.floor((i * n) / parts);
    const end = Math.floor(((i + 1) * n) / parts);
    let sumConf = 0;
    let sumCorrect = 0;
    for (let j = start; j < end; j++) {
      sumConf += confidence[order[j]];
      sumCorrect += correct[order[j]];
    }
    bins.push(summarise(confidence[order[start]], confidence[order[end - 1]], end - start, sumConf, sumCorrect));
  }
  return bins;
}

function calibration(probs: Input, labels: Labels, opts: CalibrationOptions | undefined): CalibrationResult {
  const o = optionsObject(opts);
  const b = parseBins(o.bins);
  const strategy = oneOf(o.strategy, 'strategy', ['width', 'mass'] as const, 'width');
  const { confidence, correct } = confidenceRows(probs, labels, o.ignoreIndex);
  const n = confidence.length;
  if (n === 0) fail('E_SHAPE', 'labels', 'at least one labelled row', 0);
  const bins = binsOf(confidence, correct, b, strategy);
  let ece = 0;
  let mce = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    const gap = Math.abs(bin.accuracy - bin.confidence);
    ece += (bin.count / n) * gap;
    if (gap > mce) mce = gap;
  }
  return { ece, maxCalibrationError: mce, count: n, bins };
}

/**
 * Expected calibration error of the top label (Naeini, Cooper & Hauskrecht 2015; Guo et al. 2017):
 * each labelled row gives a confidence c_r = max_j p_{r,j} and a correctness a_r = [argmax_j p_{r,j} = y_r]
 * (ties: lowest index); rows are binned by c_r and
 *   ECE = Σ_b (n_b/N)·|mean_b(a) − mean_b(c)|,   MCE = max_b |mean_b(a) − mean_b(c)|.
 *
 * - `strategy: 'width'` (default): B equal-width bins, bin i = (i/B, (i+1)/B] (0 goes to bin 0), as in
 *   Guo et al.'s reference code; empty bins are reported with count 0 and NaN means, and weigh nothing.
 *   `'mass'`: min(B, N) equal-count bins over the sorted confidences (adaptive ECE, Nixon et al. 2019).
 * - `probs`: probabilities `{ data, dims: [..., classes] }` (or one row), entries in [0, 1]; rows need not
 *   sum to 1. `labels`: one class per row, or `ignoreIndex` (default −100) to skip a row.
 * - The binned ECE is a biased estimator (≥ 0 even for a perfectly calibrated model; the bias shrinks
 *   as O(√(B/N))). O(N·C) for width bins, plus O(N log N) for mass bins.
 * - Errors: `E_PARAM` for bins not an integer ≥ 1, an unknown strategy or a label out of range;
 *   `E_INPUT` for an entry outside [0, 1]; `E_SHAPE` for a label count mismatch or no labelled row.
 */
export function expectedCalibrationError(probs: Input, labels: Labels, opts?: CalibrationOptions): CalibrationResult {
  return calibration(probs, labels, opts);
}

/**
 * The data of a reliability diagram (DeGroot & Fienberg 1983; Niculescu-Mizil & Caruana 2005): the same
 * bins as `expectedCalibrationError` (same options), each with its gap accuracy − confidence and its
 * weight count/N. Plot accuracy (bars) against the bin's range, with the diagonal as perfect calibration.
 */
export function reliabilityDiagram(probs: Input, labels: Labels, opts?: CalibrationOptions): ReliabilityDiagram {
  const result = calibration(probs, labels, opts);
  const bins = result.bins.map((bin) => ({ ...bin, gap: bin.accuracy - bin.confidence, fraction: bin.count / result.count }));
  return { ...result, bins };
}
