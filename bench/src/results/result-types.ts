import type { BenchMode } from '../harness/budget.js';
import type { ImplTiming } from '../harness/compare.js';
import type { MachineInfo } from '../harness/machine.js';
import type { AttentionIllustration } from '../suites/attention/illustration-types.js';
import type { ConformalIllustration } from '../suites/conformal/illustration-types.js';
import type { NormalizersIllustration } from '../suites/normalizers/illustration-types.js';
import type { QuaternionIllustration } from '../suites/quaternion/illustration-types.js';
import type { TrainingIllustration } from '../suites/training/illustration-types.js';

/** A goal a metric is checked against, e.g. speed-up ≥ 1.5 or peak memory ≤ 1 MB. */
export interface MetricTarget {
  op: '>=' | '<=';
  value: number;
}

/** A derived number of one case (a speed-up, a time ratio, a memory size), optionally with a target. */
export interface Metric {
  id: string;
  label: string;
  /** null when an implementation it needs failed or was skipped. */
  value: number | null;
  /** 'x' ratios, 'bytes' memory, 'GFLOP/s' throughput, 'number' a plain quantity (e.g. a growth exponent). */
  unit: 'x' | 'bytes' | 'GFLOP/s' | 'number';
  target?: MetricTarget;
  /** Whether `value` meets `target`; absent without a target or a value. */
  pass?: boolean;
}

/** Agreement of one implementation's output with the reference, checked once per case outside timing. */
export interface ValidationCheck {
  name: string;
  against: string;
  maxAbsDiff: number;
  tolerance: number;
  ok: boolean;
}

/** Extra memory one call needed, from process.memoryUsage() and the WebAssembly memory size around the call. */
export interface MemoryMeasurement {
  name: string;
  /** The largest of the external, arrayBuffers and WebAssembly-memory growths (each a lower bound of the peak). */
  peakExtraBytes: number;
  rssDeltaBytes: number;
  arrayBuffersDeltaBytes: number;
  externalDeltaBytes: number;
  wasmMemoryDeltaBytes: number;
  /** True when the call was not run (not enough free memory) and `peakExtraBytes` is computed, not measured. */
  theoretical: boolean;
}

export interface CaseResult {
  id: string;
  label: string;
  params: Record<string, number>;
  /** Elements processed per call, the denominator of ns/element. */
  elements: number;
  baseline: string;
  timings: ImplTiming[];
  metrics: Metric[];
  validation: ValidationCheck[];
  memory?: MemoryMeasurement[];
}

/** What was compared: names, versions, and why a peer is missing if it is. */
export interface ImplementationInfo {
  name: string;
  package?: string;
  version?: string;
  details?: string;
  error?: string;
}

export interface SuiteResult {
  suite: string;
  title: string;
  mode: BenchMode;
  machine: MachineInfo;
  startedAt: string;
  durationMs: number;
  /** Implementations in display order. */
  implementations: ImplementationInfo[];
  cases: CaseResult[];
  notes: string[];
  /** Untimed data a suite computes for its report section's figures, tagged by `kind` (suites add members). */
  illustration?: SuiteIllustration;
}

/** Illustration data by suite; absent for suites that only have timings. */
export type SuiteIllustration = NormalizersIllustration | ConformalIllustration | AttentionIllustration | QuaternionIllustration | TrainingIllustration;
