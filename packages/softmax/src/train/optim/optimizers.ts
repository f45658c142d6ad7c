import { fail } from '../../tensor/errors.js';
import type { FloatArray } from '../../tensor/types.js';
import type { Variable } from '../autograd/variable.js';
import { constantSchedule, type LearningRateSchedule } from './schedule.js';

/** Parameters as a list or as the named map a module returns. */
export type ParameterSource = Iterable<Variable> | Map<string, Variable>;

export interface OptimizerOptions {
  /** A fixed learning rate or a schedule of the step number. */
  lr: number | LearningRateSchedule;
  /** L2 penalty added to the gradient (SGD/Adam) or decoupled decay (AdamW). Default 0. */
  weightDecay?: number;
}

export interface SgdOptions extends OptimizerOptions {
  /** Momentum μ (default 0): v ← μv + g, p ← p − ηv (PyTorch's form). */
  momentum?: number;
  /** Nesterov momentum: p ← p − η(g + μv). */
  nesterov?: boolean;
}

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * The optimiser interface: `step()` updates every parameter that has a gradient, in place; `zeroGrad()`
 * clears them.
 */
export interface Optimizer {
  readonly parameters: readonly Variable[];
  /** Steps taken so far. */
  readonly stepCount: number;
  /** The learning rate the next step will use. */
  learningRate(): number;
  step(): void;
  zeroGrad(): void;
}

function parameterList(source: ParameterSource): Variable[] {
  const list = source instanceof Map ? [...source.values()] : [...source];
  list.forEach((p, i) => {
    if (!p.isLeaf || !p.requiresGrad) fail('E_INPUT', `parameters[${i}]`, 'a leaf Variable with requiresGrad', p.name ?? p.dims);
  });
  return list;
}

function scheduleOf(lr: number | LearningRateSchedule): LearningRateSchedule {
  if (typeof lr === 'function') return lr;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) fail('E_PARAM', 'lr', 'a finite number ≥ 0 or a schedule function', lr);
  return constantSchedule(lr);
}

function inRange(value: number | undefined, name: string, lo: number, hi: number, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v >= lo && v < hi)) fail('E_PARAM', name, `a number in [${lo}, ${hi})`, v);
  return v;
}

abstract class BaseOptimizer implements Optimizer {
  readonly parameters: Variable[];
  stepCount = 0;
  protected readonly schedule: LearningRateSchedule;
  protected readonly weightDecay: number;

  constructor(parameters: ParameterSource, options: OptimizerOptions) {
    this.parameters = parameterList(parameters);
    this.schedule = scheduleOf(options.lr);
    this.weightDecay = inRange(options.weightDecay, 'weightDecay', 0, Infinity, 0);
  }

  learningRate(): number {
    return this.schedule(this.stepCount);
  }

  zeroGrad(): void {
    for (const p of this.parameters) p.zeroGrad();
  }

  step(): void {
    const lr = this.learningRate();
    this.stepCount++;
    this.parameters.forEach((p, k) => {
      if (p.grad) this.update(p.data, p.grad, k, lr);
    });
  }

  protected abstract update(p: FloatArray, g: FloatArray, index: number, lr: number): void;
}

/** Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay. */
export class SGD extends BaseOptimizer {
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private readonly velocity: Array<Float64Array | null>;

  constructor(parameters: ParameterSource, options: SgdOptions) {
    super(parameters, options);
    this.momentum = inRange(options.momentum, 'momentum', 0, 1, 0);
    this.nesterov = options.nesterov === true;
    this.velocity = this.parameters.map(() => null);
  }

  protected update(p: FloatArray, g: FloatArray, k: number, lr: number): void {
    const mu = this.momentum;
    const wd = this.weightDecay;
    let v = this.velocity[k];
    if (mu > 0 && v === null) v = this.velocity[k] = new Float64Array(p.length);
    for (let i = 0; i < p.length; i++) {
      let d = g[i] + wd * p[i];
      if (v !== null) {
        v[i] = mu * v[i] + d;
        d = this.nesterov ? d + mu * v[i] : v[i];
      }
      p[i] -= lr * d;
    }
  }
}

/**
 * Adam (Kingma & Ba 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − η·m̂/(√v̂ + ε) with bias
 * corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). `weightDecay` here is an L2 term added to g; AdamW
 * decouples it. Moments are kept in float64.
 */
export class Adam extends BaseOptimizer {
  protected readonly beta1: number;
  protected readonly beta2: number;
  protected readonly eps: number;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  protected decoupled = false;

  constructor(parameters: ParameterSource, options: AdamOptions) {
    super(parameters, options);
    this.beta1 = inRange(options.beta1, 'beta1', 0, 1, 0.9);
    this.beta2 = inRange(options.beta2, 'beta2', 0, 1, 0.999);
    this.eps = inRange(options.eps, 'eps', 0, Infinity, 1e-8);
    this.m = this.parameters.map((p) => new Float64Array(p.size));
    this.v = this.parameters.map((p) => new Float64Array(p.size));
  }

  protected update(p: FloatArray, g: FloatArray, k: number, lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this;
    const m = this.m[k];
    const v = this.v[k];
    const t = this.stepCount;
    const c1 = 1 / (1 - beta1 ** t);
    const c2 = 1 / (1 - beta2 ** t);
    const l2 = this.decoupled ? 0 : weightDecay;
    const decay = this.decoupled ? 1 - lr * weightDecay : 1;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + l2 * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] = p[i] * decay - (lr * m[i] * c1) / (Math.sqrt(v[i] * c2) + eps);
    }
  }
}

/**
 * AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay p ← p(1 − ηλ) before the Adam
 * update. Default λ = 0.01 (PyTorch's).
 */
export class AdamW extends Adam {
  constructor(parameters: ParameterSource, options: AdamOptions) {
    super(parameters, { ...options, weightDecay: options.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}
