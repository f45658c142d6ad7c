import type { InteractionSubspaceReport } from 'softmax';

/** Mean ± standard deviation over seeds. */
export interface MeanStd {
  mean: number;
  std: number;
}

export type Variant = 'shared' | 'componentwise';

/** Inference time of one length, component-wise vs shared (medians of interleaved samples). */
export interface SpeedRow {
  length: number;
  /** `attention`: the quaternion attention op of one layer; `model`: 2 pre-norm quaternion blocks. */
  scope: 'attention' | 'model';
  sharedMs: number;
  componentwiseMs: number;
  /** 1 − shared/componentwise. */
  reduction: number;
  /** Target reduction (0.58) where it applies (attention at L ≥ 1000). */
  target?: number;
}

export interface QualityRow {
  task: string;
  variant: Variant;
  seeds: number;
  steps: number;
  evalLoss: MeanStd;
  evalAccuracy: MeanStd;
  msPerStep: MeanStd;
}

export interface ParameterRow {
  part: string;
  quaternion: number;
  real: number;
  ratio: number;
}

/** One input's attention maps (layer 0, head 0) of a trained component-wise model. */
export interface QuaternionMaps {
  tokens: string[];
  /** r, i, j, k component maps [query][key]. */
  components: number[][][];
  /** The shared map softmax(Re(Q ⊗ K*)/√(4d_h)) of the same queries and keys. */
  shared: number[][];
  /** Mean over query rows of JS(A_c ‖ A_c′) in bits, 4×4. */
  jsComponents: number[][];
  /** Mean JS(A_c ‖ A_shared) in bits, per component. */
  jsShared: number[];
  /** What was drawn, for the caption. */
  source: string;
}

export interface QuaternionIllustration {
  kind: 'quaternion';
  speed: SpeedRow[];
  quality: QualityRow[];
  qualityNotes: string[];
  parameters: ParameterRow[];
  maps: QuaternionMaps | null;
  subspace: InteractionSubspaceReport;
  ops: { variant: Variant; scoreMultiplications: number; softmaxCalls: number; shape: string }[];
}
