/** Quaternion / hypercomplex networks: algebra, layers, quaternion self-attention (shared or component-wise scores). */
export { hamiltonProduct, quaternionConjugate, quaternionNorm, quaternionInner } from './algebra.js';
export type { QuaternionAlgebraOptions } from './algebra.js';
export { blocksToInterleaved, interleavedToBlocks } from './layout.js';
export type { QuaternionLayout } from './layout.js';
export { hamiltonRules } from './hamiltonRules.js';
export { kroneckerSum } from './kroneckerSum.js';
export { quaternionPolarInit } from './quaternionInit.js';
export type { QuaternionInitOptions } from './quaternionInit.js';
export { QuaternionLinear, quaternionWeightMatrix } from './quaternionLinear.js';
export type { QuaternionLinearOptions } from './quaternionLinear.js';
export { PHMLinear } from './phmLinear.js';
export type { PHMLinearOptions } from './phmLinear.js';
export { QuaternionRMSNorm, quaternionRmsNorm } from './quaternionRmsNorm.js';
export { quaternionAttention } from './quaternionAttention.js';
export { quaternionAttend } from './quaternionAttend.js';
export { quaternionAttentionOpCounts } from './opCounts.js';
export { quaternionAttentionReference } from './quaternionAttentionReference.js';
export type {
  QuaternionAttentionOptions,
  QuaternionAttentionResult,
  QuaternionAttentionGradients,
  QuaternionAttentionOps,
  QuaternionAttentionVariant,
} from './quaternionAttentionTypes.js';
export { QuaternionMultiHeadAttention, QuaternionTransformerBlock, QuaternionTransformerLM } from './quaternionTransformer.js';
export type { QuaternionAttentionModuleOptions, QuaternionTransformerBlockOptions, QuaternionTransformerLMOptions } from './quaternionTransformer.js';
export { interactionSubspaceRanks, numericalRank } from './interactionSubspace.js';
export type { InteractionSubspaceOptions, InteractionSubspaceReport, SubspaceRanks } from './interactionSubspace.js';
