/** Conformal prediction on softmax probabilities: scores, split / class-wise / clustered predictors, metrics. */
export {
  conformalScores,
  CONFORMAL_SCORES,
  RAPS_DEFAULT_KREG,
  RAPS_DEFAULT_LAMBDA,
  type ClassLabels,
  type ConformalScore,
  type ConformalScoreOptions,
  type ProbsLike,
} from './scores.js';
export { conformalQuantile, conformalQuantileBounds, minCalibrationSize, type ConformalQuantileBounds } from './quantile.js';
export {
  classwiseConformal,
  clusteredConformal,
  clusteringHeuristic,
  conformalFromJSON,
  splitConformal,
  CLUSTER_EMBEDDING_LEVELS,
  type ClusteredConformalOptions,
  type ClusteredConformalPredictor,
  type ConformalCalibrationOptions,
  type ConformalMethod,
  type ConformalPredictOptions,
  type ConformalPredictor,
  type ConformalPredictorJSON,
  type ConformalSets,
} from './predictors.js';
export { coverageMetrics, UNDER_COVERAGE_SLACK, type CoverageMetrics, type CoverageMetricsOptions } from './metrics.js';
export { weightedKMeans, type WeightedKMeansResult } from './kmeans.js';
