/**
 * softmax — exact, fast softmax, log-softmax and log-sum-exp for JavaScript, with exact backward passes.
 * This entry runs in Node ≥ 20 and evergreen browsers; `softmax/node` adds file I/O for Node.
 */
export { softmax } from './normalizers/softmax.js';
export type { SoftmaxOptions, SoftmaxVjpOptions } from './normalizers/softmax.js';
export { logSoftmax } from './normalizers/logSoftmax.js';
export type { LogSoftmaxOptions } from './normalizers/logSoftmax.js';
export { logSumExp } from './normalizers/logSumExp.js';
export type { LogSumExpOptions, LogSumExpVjpOptions, LogSumExpOutput } from './normalizers/logSumExp.js';
export type { RowwiseOptions } from './normalizers/rowwise.js';

export { ready } from './kernels/wasm/module.js';
export { allocate, WasmFloat32Array } from './kernels/wasm/allocate.js';
export { setBackend, backendInfo } from './kernels/dispatch.js';
export type { BackendPreference, BackendInfo } from './kernels/dispatch.js';

export { SoftmaxError } from './tensor/errors.js';
export type { SoftmaxErrorCode } from './tensor/errors.js';
export type { FloatArray, TensorLike, Row, Input, OutputOf, MaskInput, Algorithm } from './tensor/types.js';

export { softmaxTopK } from './ops/softmaxTopK.js';
export type { SoftmaxTopKOptions, SoftmaxTopKResult } from './ops/softmaxTopK.js';
export { crossEntropy } from './ops/crossEntropy.js';
export { matmul } from './ops/matmul.js';
export type { MatmulOptions, MatmulResult, MatmulGradients } from './ops/matmul.js';
export type { CrossEntropyOptions, CrossEntropyVjpOptions, Labels } from './ops/crossEntropy.js';

// The normalizer family (each with .vjp) and the registry that composed features resolve names with.
export { sparsemax } from './normalizers/sparsemax.js';
export type { SparsemaxOptions } from './normalizers/sparsemax.js';
export { entmax } from './normalizers/entmax.js';
export type { EntmaxOptions, EntmaxVjpOptions } from './normalizers/entmax.js';
export { sparseSoftmax } from './normalizers/sparseSoftmax.js';
export type { SparseSoftmaxOptions } from './normalizers/sparseSoftmax.js';
export { softpick } from './normalizers/softpick.js';
export type { SoftpickOptions } from './normalizers/softpick.js';
export { clippedSoftmax } from './normalizers/clippedSoftmax.js';
export type { ClippedSoftmaxOptions } from './normalizers/clippedSoftmax.js';
export { scalableSoftmax } from './normalizers/scalableSoftmax.js';
export type { ScalableSoftmaxOptions } from './normalizers/scalableSoftmax.js';
export { stableMax } from './normalizers/stableMax.js';
export { selfAdjustSoftmax } from './normalizers/selfAdjustSoftmax.js';
export type { SelfAdjustSoftmaxOptions } from './normalizers/selfAdjustSoftmax.js';
export { gumbelSoftmax } from './normalizers/gumbelSoftmax.js';
export type { GumbelSoftmaxOptions, GumbelSoftmaxVjpOptions, GumbelSoftmaxSample } from './normalizers/gumbelSoftmax.js';
export { adaptiveTemperatureSoftmax, VELICKOVIC_COEFFICIENTS } from './normalizers/adaptiveTemperatureSoftmax.js';
export type { AdaptiveTemperatureSoftmaxOptions } from './normalizers/adaptiveTemperatureSoftmax.js';
export { sinkhorn } from './normalizers/sinkhorn.js';
export type { SinkhornOptions, SinkhornVjpOptions } from './normalizers/sinkhorn.js';
export { defineMapping } from './normalizers/defineMapping.js';
export type { Mapping, MappingSpec, MappingOptions, MappingVjpOptions, RowContext } from './normalizers/defineMapping.js';
export { normalizers, resolveNormalizer } from './normalizers/registry.js';
export type { Normalizer } from './normalizers/registry.js';

// Losses on logits (each with .vjp).
export { sparsemaxLoss } from './losses/sparsemaxLoss.js';
export type { SparsemaxLossOptions, SparsemaxLossVjpOptions } from './losses/sparsemaxLoss.js';
export { entmaxLoss } from './losses/entmaxLoss.js';
export type { EntmaxLossOptions, EntmaxLossVjpOptions, FenchelYoungLossOptions, FenchelYoungLossVjpOptions } from './losses/entmaxLoss.js';
export { zLoss } from './losses/zLoss.js';
export type { ZLossOptions, ZLossVjpOptions } from './losses/zLoss.js';
export { maxSupLoss } from './losses/maxSupLoss.js';
export type { MaxSupLossOptions, MaxSupLossVjpOptions } from './losses/maxSupLoss.js';
export { klDivergence } from './losses/klDivergence.js';
export type { KlDivergenceOptions, KlDivergenceVjpOptions, KlDivergenceGradients } from './losses/klDivergence.js';

export { createRng } from './tensor/rng.js';
export type { Rng, RngLike } from './tensor/rng.js';

// From probabilities to decisions: sampling, calibration, conformal prediction.
export { sample, gumbelMaxSample, greedy } from './decisions/sampling/sample.js';
export type { SampleOptions, GumbelMaxSampleOptions } from './decisions/sampling/sample.js';
export { fitTemperature } from './decisions/calibration/fitTemperature.js';
export type { FitTemperatureOptions, FitTemperatureResult } from './decisions/calibration/fitTemperature.js';
export { expectedCalibrationError, reliabilityDiagram } from './decisions/calibration/ece.js';
export type { CalibrationOptions, CalibrationBin, CalibrationResult, ReliabilityBin, ReliabilityDiagram } from './decisions/calibration/ece.js';
export { cascadeThreshold } from './decisions/calibration/cascade.js';
export type { CascadeThresholdOptions, CascadeThresholdResult } from './decisions/calibration/cascade.js';
export {
  conformalScores,
  conformalQuantile,
  conformalQuantileBounds,
  splitConformal,
  classwiseConformal,
  clusteredConformal,
  conformalFromJSON,
  coverageMetrics,
  clusteringHeuristic,
  weightedKMeans,
} from './decisions/conformal/index.js';
export type {
  ConformalScore,
  ConformalScoreOptions,
  ConformalQuantileBounds,
  ConformalMethod,
  ConformalPredictor,
  ClusteredConformalPredictor,
  ConformalPredictorJSON,
  ConformalCalibrationOptions,
  ClusteredConformalOptions,
  ConformalPredictOptions,
  ConformalSets,
  CoverageMetrics,
  CoverageMetricsOptions,
} from './decisions/conformal/index.js';

// Attention: flash-style scaled dot-product attention, decoding against a KV cache, the alternatives.
// Attention: flash softmax path, materialised normalisers and score maps, selective temperature, gates (with .vjp).
export { attention } from './attention/attention.js';
export type { AttentionOptions, AttentionMask, AttentionScoreMapName, SigmoidAttentionOptions, SoftplusAttentionOptions, AttentionTemperature, AttentionGate, AttentionTensor, AttentionResult, AttentionGradients, AttentionGateGradients } from './attention/attentionTypes.js';
export { rope } from './attention/rope.js';
export type { RopeOptions } from './attention/rope.js';
export { alibiMask } from './attention/alibi.js';
export { attendDecode } from './attention/attendDecode.js';
export type { AttendDecodeOptions, AttendDecodeResult, DecodeMask } from './attention/attendDecode.js';
export { decodeMerge } from './attention/decodeMerge.js';
export type { DecodePart, DecodeMerged } from './attention/decodeMerge.js';
// Linear attention family (each with .vjp).
export { linearAttention } from './attention/linearAttention.js';
export type { LinearAttentionOptions, LinearAttentionGrads } from './attention/linearAttention.js';
export type { FeatureMapName, FeatureMapOption, CustomFeatureMap, FeatureRole, HedgehogOptions, NalaformerOptions } from './attention/featureMaps.js';
export { gla } from './attention/gla.js';
export type { GlaOptions, GlaVjpOptions, GlaGrads } from './attention/gla.js';
export { gatedDeltaNet } from './attention/gatedDeltaNet.js';
export type { GatedDeltaNetOptions, GatedDeltaNetVjpOptions, GatedDeltaNetGrads } from './attention/gatedDeltaNet.js';
export type { RecurrentOptions, RecurrentVjpOptions, RecurrentResult } from './attention/linearRecurrent.js';

// Training: autograd tape, modules, optimisers, checkpoints, data and the trainer.
export * from './train/index.js';

// Quaternion and hypercomplex attention with shared scores (Yamauchi, Nitta & Tamori, ICML 2026).
export * from './hypercomplex/index.js';
