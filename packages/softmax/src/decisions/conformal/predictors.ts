import { fail } from '../../tensor/errors.js';
import { oneOf, optionsObject } from '../../tensor/options.js';
import { checkRng, createRng, type RngLike } from '../../tensor/rng.js';
import { markApsSets, type ExactCoverageThresholds } from './apsSets.js';
import { lacMarker } from './lacSets.js';
import { weightedKMeans } from './kmeans.js';
import { checkAlpha, conformalQuantile, conformalQuantileBounds, linearQuantileSorted, minCalibrationSize } from './quantile.js';
import {
  CONFORMAL_SCORES,
  computeScores,
  parseLabels,
  parseProbs,
  parseProbsShape,
  parseScoreSpec,
  type ClassLabels,
  type ConformalScore,
  type ProbsLike,
  type ScoreSpec,
} from './scores.js';

export type ConformalMethod = 'split' | 'classwise' | 'clustered';

/** Prediction sets for n rows. */
export interface ConformalSets {
  /** The classes of each row's set, ascending. */
  sets: number[][];
  /** Row-major n × classes membership, 1 = in the set. */
  matrix: Uint8Array;
}

export interface ConformalPredictOptions {
  /**
   * Required by randomized (APS/RAPS) and exact-coverage predictors: the generator of the per-row U
   * (randomized scores, drawn first) and V (exact coverage, drawn second), e.g. `createRng(seed)`.
   */
  rng?: RngLike;
}

/** A calibrated conformal predictor. */
export interface ConformalPredictor {
  readonly method: ConformalMethod;
  readonly alpha: number;
  readonly score: ConformalScore;
  readonly randomized: boolean;
  /** RAPS λ (stored for every score; used by RAPS only). */
  readonly lambda: number;
  /** RAPS k_reg (stored for every score; used by RAPS only). */
  readonly kReg: number;
  readonly classes: number;
  /** q̂_c for each class c (all equal for split conformal); +∞ = class c is always in the set. */
  readonly thresholds: Float64Array;
  /** Randomised quantile for coverage exactly 1 − α in expectation (see `conformalQuantileBounds`). */
  readonly exactCoverage: boolean;
  /** Exact coverage only: q̂_lo per class, the threshold used when V ≥ θ_c. */
  readonly lowerThresholds?: Float64Array;
  /** Exact coverage only: θ_c ∈ (0, 1], the probability that class c uses `thresholds[c]` (per row, one V for all classes). */
  readonly upperWeights?: Float64Array;
  /**
   * Sets C(x) = {c : s(x, c) ≤ q̂_c}. `probs`: `{ data, dims: [n, classes] }` probabilities. Randomized
   * predictors need `opts.rng` (one U per row, as in `conformalScores`); exact-coverage predictors too
   * (one V per row: q̂_c = thresholds[c] if V < upperWeights[c], else lowerThresholds[c]).
   */
  predict(probs: ProbsLike, opts?: ConformalPredictOptions): ConformalSets;
  /** A JSON-safe description (+∞ thresholds are encoded as the string "Infinity"); see `conformalFromJSON`. */
  toJSON(): ConformalPredictorJSON;
}

export interface ClusteredConformalPredictor extends ConformalPredictor {
  readonly method: 'clustered';
  /** Cluster of each class; −1 = the null cluster (too few clustering examples). */
  readonly clusterOf: Int32Array;
  /** Number of (non-null) clusters used; 1 when clustering was skipped. */
  readonly numClusters: number;
  /** Fraction γ of the calibration data used for clustering (0 when clustering was skipped). */
  readonly clusteringFraction: number;
}

type JsonNumber = number | 'Infinity' | '-Infinity';

export interface ConformalPredictorJSON {
  format: 'softmax.conformal';
  version: 1;
  method: ConformalMethod;
  alpha: number;
  score: ConformalScore;
  randomized: boolean;
  lambda: number;
  kReg: number;
  classes: number;
  thresholds: JsonNumber[];
  exactCoverage?: boolean;
  lowerThresholds?: JsonNumber[];
  upperWeights?: number[];
  clusterOf?: number[];
  numClusters?: number;
  clusteringFraction?: number;
}

/** Options shared by the three calibration methods. */
export interface ConformalCalibrationOptions {
  /** Miscoverage level α ∈ (0, 1): target coverage 1 − α. Required. */
  alpha: number;
  /** Nonconformity score: `'lac'`, `'aps'` or `'raps'`. Required. */
  score: ConformalScore;
  /** Randomized APS/RAPS scores (U·p_y); predict then needs an rng too. */
  randomized?: boolean;
  /**
   * Randomise between the ⌈(n+1)(1−α)⌉-th and the previous order statistic so that coverage is exactly
   * 1 − α in expectation (for almost surely distinct scores) instead of up to 1/(n+1) above it; predict
   * then needs an rng. See `conformalQuantileBounds`. Default false.
   */
  exactCoverage?: boolean;
  /** RAPS λ ≥ 0 (default 0.01). */
  lambda?: number;
  /** RAPS k_reg, integer ≥ 0 (default 5). */
  kReg?: number;
  /** Generator for all randomness of calibration. Takes precedence over `seed`. */
  rng?: RngLike;
  /** Seed for `createRng` when no `rng` is given. Default 0. */
  seed?: number;
}

export interface ClusteredConformalOptions extends ConformalCalibrationOptions {
  /** Number of clusters M (integer ≥ 1). Default: the Ding et al. heuristic ⌊n_clust/2⌋. */
  numClusters?: number;
  /** Fraction γ ∈ (0, 1) of calibration points used for clustering. Default: Ding et al.'s n_clust/n_min. */
  clusteringFraction?: number;
  /** Threshold of the null cluster: `'standard'` (marginal q̂ on the calibration part; default) or `'full'` (+∞). */
  nullPolicy?: 'standard' | 'full';
  /** k-means restarts (default 10). */
  kmeansRestarts?: number;
}

interface Calibration {
  alpha: number;
  exactCoverage: boolean;
  spec: ScoreSpec;
  rng: RngLike;
  classes: number;
  labels: Int32Array;
  /** True-label score of each calibration row. */
  scores: Float64Array;
}

function resolveRng(o: { rng?: unknown; seed?: unknown }): RngLike {
  if (o.rng !== undefined) return checkRng(o.rng);
  return createRng((o.seed ?? 0) as number);
}

function calibrate(calibProbs: ProbsLike, calibLabels: ClassLabels, opts: ConformalCalibrationOptions | undefined): Calibration {
  const o = optionsObject(opts);
  const alpha = checkAlpha(o.alpha);
  const spec = parseScoreSpec(o);
  if (o.exactCoverage !== undefined && typeof o.exactCoverage !== 'boolean') fail('E_PARAM', 'exactCoverage', 'a boolean', o.exactCoverage);
  const rng = resolveRng(o);
  const pr = parseProbs(calibProbs, 'calibProbs');
  const labels = parseLabels(calibLabels, pr.rows, pr.classes, 'calibLabels');
  const scores = computeScores(pr, spec, labels, rng);
  return { alpha, exactCoverage: o.exactCoverage === true, spec, rng, classes: pr.classes, labels, scores };
}

/** One threshold per group of scores: the conformal quantile, or with `exact` the randomised pair. */
interface GroupThresholds {
  upper: number[];
  exact?: { lower: number[]; weights: number[] };
}

function groupThresholds(groups: readonly ArrayLike<number>[], alpha: number, exact: boolean): GroupThresholds {
  if (!exact) return { upper: groups.map((g) => conformalQuantile(g, alpha)) };
  const b = groups.map((g) => conformalQuantileBounds(g, alpha));
  return { upper: b.map((x) => x.upper), exact: { lower: b.map((x) => x.lower), weights: b.map((x) => x.weight) } };
}

/** Per-class thresholds from per-group ones (`groupOf(c)` = the group of class c). */
function perClass(t: GroupThresholds, classes: number, groupOf: (c: number) => number): { thresholds: Float64Array; exact?: ExactCoverageThresholds } {
  const thresholds = Float64Array.from({ length: classes }, (_, c) => t.upper[groupOf(c)]);
  if (!t.exact) return { thresholds };
  const e = t.exact;
  return {
    thresholds,
    exact: { lower: Float64Array.from({ length: classes }, (_, c) => e.lower[groupOf(c)]), weights: Float64Array.from({ length: classes }, (_, c) => e.weights[groupOf(c)]) },
  };
}

function encodeNumber(v: number): JsonNumber {
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

function decodeNumber(v: unknown, name: string): number {
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('E_PARAM', name, 'a finite number, "Infinity" or "-Infinity"', v);
  return v;
}

interface PredictorParts {
  method: ConformalMethod;
  alpha: number;
  spec: ScoreSpec;
  classes: number;
  thresholds: Float64Array;
  exact?: ExactCoverageThresholds;
  cluster?: { clusterOf: Int32Array; numClusters: number; clusteringFraction: number };
}

function makePredictor(parts: PredictorParts): ConformalPredictor {
  const { method, alpha, spec, classes, thresholds, exact, cluster } = parts;
  const markLac = lacMarker(thresholds, exact);
  const predict = (probs: ProbsLike, opts?: ConformalPredictOptions): ConformalSets => {
    const o = optionsObject(opts);
    const pr = parseProbsShape(probs, 'probs');
    const needsRng = spec.randomized || exact !== undefined;
    // The rows are checked as parseProbs checks them inside the marking passes (each entry read once)
    // when no other error can come first and no rng draw precedes a row; otherwise up front, in the
    // original order of the errors.
    const check = !needsRng && pr.classes === classes ? 'probs' : undefined;
    if (check === undefined) parseProbs(probs, 'probs');
    if (pr.classes !== classes) fail('E_SHAPE', 'probs.dims', `[n, ${classes}] (the calibrated number of classes)`, [pr.rows, pr.classes]);
    const rng = needsRng ? checkRng(o.rng) : undefined;
    const matrix = new Uint8Array(pr.rows * classes);
    const sets: number[][] = [];
    // LAC: s = 1 − p in float64 as conformalScores computes it, compared as p ≥ p*_c in the input type
    // (see lacMarker). APS/RAPS: rank only what can enter a set (see markApsSets). One rng draw per row
    // as conformalScores, then V for exact coverage.
    if (spec.score === 'lac') markLac(pr, rng, matrix, sets, check);
    else markApsSets(pr, spec, thresholds, rng, matrix, sets, exact, check);
    return { sets, matrix };
  };
  const toJSON = (): ConformalPredictorJSON => {
    const json: ConformalPredictorJSON = {
      format: 'softmax.conformal',
      version: 1,
      method,
      alpha,
      score: spec.score,
      randomized: spec.randomized,
      lambda: spec.lambda,
      kReg: spec.kReg,
      classes,
      thresholds: Array.from(thresholds, encodeNumber),
    };
    if (exact) {
      json.exactCoverage = true;
      json.lowerThresholds = Array.from(exact.lower, encodeNumber);
      json.upperWeights = Array.from(exact.weights);
    }
    if (cluster) {
      json.clusterOf = Array.from(cluster.clusterOf);
      json.numClusters = cluster.numClusters;
      json.clusteringFraction = cluster.clusteringFraction;
    }
    return json;
  };
  const base = {
    method, alpha, score: spec.score, randomized: spec.randomized, lambda: spec.lambda, kReg: spec.kReg, classes, thresholds,
    exactCoverage: exact !== undefined, lowerThresholds: exact?.lower, upperWeights: exact?.weights, predict, toJSON,
  };
  return cluster ? { ...base, ...cluster } : base;
}

/**
 * Split (standard) conformal prediction: one threshold q̂ = the ⌈(n+1)(1−α)⌉-th smallest true-label
 * calibration score (+∞ if that exceeds n), sets C(x) = {y : s(x, y) ≤ q̂}. Marginal coverage
 * P(Y ∈ C(X)) ≥ 1 − α for exchangeable data (Vovk, Gammerman & Shafer 2005; Papadopoulos et al. 2002),
 * and ≤ 1 − α + 1/(n+1) when scores have no ties.
 *
 * - `calibProbs`: `{ data, dims: [n, classes] }` probabilities; `calibLabels`: n integers in [0, classes).
 * - `thresholds` holds q̂ once per class (all equal).
 * - Randomized scores draw from `rng` (or `createRng(seed)`, seed default 0) in row order.
 * - `exactCoverage: true`: the randomised quantile pair (q̂_lo, q̂_hi, θ) of `conformalQuantileBounds`
 *   instead of q̂; each test row draws V and uses q̂_hi if V < θ, else q̂_lo, so P(Y ∈ C(X)) = 1 − α
 *   exactly for almost surely distinct scores (LAC on continuous probabilities, randomized APS/RAPS).
 *   Applies per class for class-wise and per cluster for clustered conformal.
 * - Calibration O(n·C) (the true label's score needs no sort) plus O(n log n) for the quantile;
 *   prediction O(C) per row plus, for APS/RAPS, a ranking of only the classes that can enter a set.
 */
export function splitConformal(calibProbs: ProbsLike, calibLabels: ClassLabels, opts: ConformalCalibrationOptions): ConformalPredictor {
  const c = calibrate(calibProbs, calibLabels, opts);
  const t = perClass(groupThresholds([c.scores], c.alpha, c.exactCoverage), c.classes, () => 0);
  return makePredictor({ method: 'split', alpha: c.alpha, spec: c.spec, classes: c.classes, ...t });
}

/** Splits true-label scores by a per-class group id (−1 = skip): one array per group. */
function groupScores(scores: Float64Array, labels: Int32Array, groupOf: (y: number) => number, groups: number, keep?: Uint8Array): number[][] {
  const out: number[][] = Array.from({ length: groups }, () => []);
  for (let i = 0; i < scores.length; i++) {
    if (keep && !keep[i]) continue;
    const g = groupOf(labels[i]);
    if (g >= 0) out[g].push(scores[i]);
  }
  return out;
}

/**
 * Class-wise (Mondrian) conformal prediction: q̂_y = the conformal quantile of the scores of the calibration
 * points labelled y (Vovk 2012; Löfström et al. 2015). Class-conditional coverage P(Y ∈ C(X) | Y = y) ≥ 1 − α
 * for every class. A class with fewer than n_α = ⌈(1−α)/α⌉ calibration points (including none) gets
 * q̂_y = +∞: it is in every set.
 *
 * Same arguments and cost as `splitConformal`.
 */
export function classwiseConformal(calibProbs: ProbsLike, calibLabels: ClassLabels, opts: ConformalCalibrationOptions): ConformalPredictor {
  const c = calibrate(calibProbs, calibLabels, opts);
  const groups = groupScores(c.scores, c.labels, (y) => y, c.classes);
  const t = perClass(groupThresholds(groups, c.alpha, c.exactCoverage), c.classes, (y) => y);
  return makePredictor({ method: 'classwise', alpha: c.alpha, spec: c.spec, classes: c.classes, ...t });
}

/** The embedding levels of Ding et al.: class score quantiles at 0.5, 0.6, 0.7, 0.8, 0.9. */
export const CLUSTER_EMBEDDING_LEVELS: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * Ding et al.'s default sizes: n_min = max(min_y n_y, n_α), K' = #{y : n_y ≥ n_min},
 * n_clust = ⌊n_min·K'/(75 + K')⌋, M = ⌊n_clust/2⌋, γ = n_clust/n_min.
 */
export function clusteringHeuristic(classCounts: ArrayLike<number>, alpha: number): { numClusters: number; clusteringFraction: number; nMin: number } {
  checkAlpha(alpha);
  let minCount = Infinity;
  for (let y = 0; y < classCounts.length; y++) minCount = Math.min(minCount, classCounts[y]);
  const nMin = Math.max(minCount, minCalibrationSize(alpha));
  let kPrime = 0;
  for (let y = 0; y < classCounts.length; y++) if (classCounts[y] >= nMin) kPrime++;
  const nClust = Math.floor((nMin * kPrime) / (75 + kPrime));
  return { numClusters: Math.floor(nClust / 2), clusteringFraction: nClust / nMin, nMin };
}

/**
 * Clustered conformal prediction (Ding, Angelopoulos, Bates, Jordan & Tibshirani, "Class-conditional
 * conformal prediction with many classes", NeurIPS 2023): classes with similar score distributions share
 * a threshold, trading the exact class-conditional coverage of class-wise conformal for much smaller sets
 * when classes have few calibration examples.
 *
 * 1. Sizes (unless given): n_min = max(min_y n_y, n_α) with n_α = ⌈(1−α)/α⌉, K' = #{y : n_y ≥ n_min},
 *    n_clust = ⌊n_min·K'/(75 + K')⌋, M = ⌊n_clust/2⌋ clusters, clustering fraction γ = n_clust/n_min.
 * 2. Each calibration point goes to the clustering part with probability γ (rng), else to the proper
 *    calibration part.
 * 3. Classes with fewer than n_α clustering points form the null cluster (−1).
 * 4. Every other class y is embedded as the linearly interpolated (NumPy default) quantiles of its
 *    clustering-part scores at levels 0.5, 0.6, 0.7, 0.8, 0.9, then weighted k-means (k-means++ seeding,
 *    `kmeansRestarts` restarts, weights √n_y with n_y its clustering-part count, as in the authors' code)
 *    with min(M, #qualifying classes) clusters.
 * 5. q̂_m = conformal quantile of the calibration-part scores of the classes in cluster m; the null cluster
 *    gets the marginal q̂ of the whole calibration part (`nullPolicy: 'standard'`, the paper's choice) or
 *    +∞ (`'full'`, TorchCP's choice).
 * 6. C(x) = {y : s(x, y) ≤ q̂_{cluster(y)}}.
 *
 * When M ≤ 1 or fewer than two classes qualify, clustering is skipped: every class is in cluster 0 with
 * the split-conformal q̂ of all calibration points (`numClusters` 1, `clusteringFraction` 0).
 * Randomness (scores, then the split, then k-means) comes from `rng` or `createRng(seed)` (default seed 0).
 * Cost O(n·C log C + restarts·iters·C·M).
 */
export function clusteredConformal(calibProbs: ProbsLike, calibLabels: ClassLabels, opts: ClusteredConformalOptions): ClusteredConformalPredictor {
  const o = optionsObject(opts);
  const c = calibrate(calibProbs, calibLabels, opts);
  const { alpha, classes, labels, scores, rng } = c;
  const nullPolicy = oneOf(o.nullPolicy, 'nullPolicy', ['standard', 'full'] as const, 'standard');
  const restarts = o.kmeansRestarts ?? 10;
  if (!Number.isInteger(restarts) || restarts < 1) fail('E_PARAM', 'kmeansRestarts', 'an integer ≥ 1', restarts);
  const counts = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const h = clusteringHeuristic(counts, alpha);
  let m = h.numClusters;
  let gamma = h.clusteringFraction;
  if (o.numClusters !== undefined) {
    if (!Number.isInteger(o.numClusters) || o.numClusters < 1) fail('E_PARAM', 'numClusters', 'an integer ≥ 1', o.numClusters);
    m = o.numClusters;
  }
  if (o.clusteringFraction !== undefined) {
    const f = o.clusteringFraction;
    if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0 || f >= 1) fail('E_PARAM', 'clusteringFraction', 'a number in (0, 1)', f);
    gamma = f;
  }
  const skip = (): ClusteredConformalPredictor => {
    return makePredictor({
      method: 'clustered',
      alpha,
      spec: c.spec,
      classes,
      ...perClass(groupThresholds([scores], alpha, c.exactCoverage), classes, () => 0),
      cluster: { clusterOf: new Int32Array(classes), numClusters: 1, clusteringFraction: 0 },
    }) as ClusteredConformalPredictor;
  };
  if (m <= 1 || gamma <= 0) return skip();

  // 2. Random split.
  const n = labels.length;
  const inClust = new Uint8Array(n);
  const inCal = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (rng.next() < gamma) inClust[i] = 1;
    else inCal[i] = 1;
  }
  // 3. Qualifying classes.
  const nAlpha = minCalibrationSize(alpha);
  const clustScores = groupScores(scores, labels, (y) => y, classes, inClust);
  const qualifying: number[] = [];
  for (let y = 0; y < classes; y++) if (clustScores[y].length >= nAlpha) qualifying.push(y);
  const k = Math.min(m, qualifying.length);
  if (k <= 1) return skip();

  // 4. Embeddings and weighted k-means.
  const dim = CLUSTER_EMBEDDING_LEVELS.length;
  const emb = new Float64Array(qualifying.length * dim);
  const weights = new Float64Array(qualifying.length);
  qualifying.forEach((y, i) => {
    const sorted = Float64Array.from(clustScores[y]).sort();
    CLUSTER_EMBEDDING_LEVELS.forEach((lv, d) => {
      emb[i * dim + d] = linearQuantileSorted(sorted, lv);
    });
    weights[i] = Math.sqrt(sorted.length);
  });
  const km = weightedKMeans(emb, weights, dim, k, rng, restarts);
  const clusterOf = new Int32Array(classes).fill(-1);
  qualifying.forEach((y, i) => {
    clusterOf[y] = km.assignment[i];
  });

  // 5. Per-cluster quantiles on the proper calibration part.
  // Group k is the null cluster: the marginal quantile of the calibration part ('standard') or +∞ ('full').
  const calScores: ArrayLike<number>[] = groupScores(scores, labels, (y) => clusterOf[y], k, inCal);
  const all: number[] = [];
  for (let i = 0; i < n; i++) if (inCal[i]) all.push(scores[i]);
  calScores.push(all);
  const t = groupThresholds(calScores, alpha, c.exactCoverage);
  if (nullPolicy === 'full') {
    t.upper[k] = Infinity;
    if (t.exact) {
      t.exact.lower[k] = Infinity;
      t.exact.weights[k] = 1;
    }
  }
  return makePredictor({
    method: 'clustered',
    alpha,
    spec: c.spec,
    classes,
    ...perClass(t, classes, (y) => (clusterOf[y] < 0 ? k : clusterOf[y])),
    cluster: { clusterOf, numClusters: k, clusteringFraction: gamma },
  }) as ClusteredConformalPredictor;
}

/**
 * Restores a predictor from `predictor.toJSON()` (or its `JSON.stringify` text): the result gives the
 * same sets as the original (and, for randomized scores, the same sets under the same rng state).
 */
export function conformalFromJSON(json: ConformalPredictorJSON | string): ConformalPredictor {
  let j: unknown = json;
  if (typeof json === 'string') {
    try {
      j = JSON.parse(json);
    } catch {
      fail('E_INPUT', 'json', 'JSON text of a conformal predictor', json);
    }
  }
  if (j === null || typeof j !== 'object') fail('E_INPUT', 'json', 'a conformal predictor description (predictor.toJSON())', j);
  const o = j as Partial<Record<keyof ConformalPredictorJSON, unknown>>;
  if (o.format !== 'softmax.conformal' || o.version !== 1) fail('E_INPUT', 'json.format', "'softmax.conformal' version 1", o.format);
  const method = oneOf(o.method, 'json.method', ['split', 'classwise', 'clustered'] as const, 'split');
  const alpha = checkAlpha(o.alpha);
  oneOf(o.score, 'json.score', CONFORMAL_SCORES, 'lac');
  const spec = parseScoreSpec({ score: o.score, randomized: o.randomized, lambda: o.lambda, kReg: o.kReg });
  const classes = o.classes;
  if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 1) fail('E_PARAM', 'json.classes', 'an integer ≥ 1', classes);
  if (!Array.isArray(o.thresholds) || o.thresholds.length !== classes) fail('E_SHAPE', 'json.thresholds', `${classes} thresholds`, o.thresholds);
  const thresholds = Float64Array.from(o.thresholds as unknown[], (v, i) => decodeNumber(v, `json.thresholds[${i}]`));
  let exact: ExactCoverageThresholds | undefined;
  if (o.exactCoverage !== undefined && o.exactCoverage !== false) {
    if (o.exactCoverage !== true) fail('E_PARAM', 'json.exactCoverage', 'a boolean', o.exactCoverage);
    if (!Array.isArray(o.lowerThresholds) || o.lowerThresholds.length !== classes) fail('E_SHAPE', 'json.lowerThresholds', `${classes} thresholds`, o.lowerThresholds);
    if (!Array.isArray(o.upperWeights) || o.upperWeights.length !== classes) fail('E_SHAPE', 'json.upperWeights', `${classes} weights`, o.upperWeights);
    exact = {
      lower: Float64Array.from(o.lowerThresholds as unknown[], (v, i) => decodeNumber(v, `json.lowerThresholds[${i}]`)),
      weights: Float64Array.from(o.upperWeights as unknown[], (v, i) => {
        if (typeof v !== 'number' || !(v > 0 && v <= 1)) fail('E_PARAM', `json.upperWeights[${i}]`, 'a number in (0, 1]', v);
        return v;
      }),
    };
  }
  if (method !== 'clustered') return makePredictor({ method, alpha, spec, classes, thresholds, exact });
  if (!Array.isArray(o.clusterOf) || o.clusterOf.length !== classes) fail('E_SHAPE', 'json.clusterOf', `${classes} cluster ids`, o.clusterOf);
  const clusterOf = Int32Array.from(o.clusterOf as unknown[], (v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -1) fail('E_PARAM', `json.clusterOf[${i}]`, 'an integer ≥ −1', v);
    return v;
  });
  const numClusters = typeof o.numClusters === 'number' ? o.numClusters : 1;
  const clusteringFraction = typeof o.clusteringFraction === 'number' ? o.clusteringFraction : 0;
  return makePredictor({ method, alpha, spec, classes, thresholds, exact, cluster: { clusterOf, numClusters, clusteringFraction } });
}
