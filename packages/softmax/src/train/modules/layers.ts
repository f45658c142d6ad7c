import { fail } from '../../tensor/errors.js';
import { createRng } from '../../tensor/rng.js';
import { Variable } from '../autograd/variable.js';
import type { TokenTensor } from '../data/batch.js';
import { embedding } from '../ops/embedding.js';
import { add, mul } from '../ops/elementwise.js';
import { linear } from '../ops/linear.js';
import { layerNorm, rmsNorm } from '../ops/norm.js';
import { gelu, silu } from '../ops/unary.js';
import { initValues, zerosOf, type InitOptions } from './init.js';
import { Module } from './module.js';

function size(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail('E_PARAM', name, 'an integer ≥ 1', value);
  return value;
}

/** A parameter leaf. */
export function parameter(data: Float32Array | Float64Array, dims: number[], name?: string): Variable {
  return new Variable(data, dims, { requiresGrad: true, name });
}

export interface LinearOptions extends InitOptions {
  /** Add a bias (default true; zero-initialised). */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b over the last axis: x [..., in] → y [..., out]. `weight` is [out, in] and `bias` [out]
 * (PyTorch's layout, so checkpoints load into `torch.nn.Linear` by name). Default init: normal(0.02);
 * see `InitOptions`. O(rows·in·out) per call, on the shared matmul kernel.
 */
export class Linear extends Module {
  readonly weight: Variable;
  readonly bias: Variable | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    size(inFeatures, 'inFeatures');
    size(outFeatures, 'outFeatures');
    this.weight = parameter(initValues(inFeatures * outFeatures, inFeatures, outFeatures, options), [outFeatures, inFeatures]);
    this.bias = options.bias === false ? null : parameter(zerosOf(outFeatures, options.dtype), [outFeatures]);
  }

  forward(x: Variable): Variable {
    return linear(x, this.weight, this.bias ?? undefined);
  }
}

/** Token embedding: ids → rows of `weight` [vocab, dim] (normal(0.02) init by default). */
export class Embedding extends Module {
  readonly weight: Variable;

  constructor(readonly vocab: number, readonly dim: number, options: InitOptions = {}) {
    super();
    size(vocab, 'vocab');
    size(dim, 'dim');
    this.weight = parameter(initValues(vocab * dim, vocab, dim, { std: 0.02, ...options, scheme: options.scheme === 'mup' ? 'normal' : options.scheme }), [vocab, dim]);
  }

  forward(ids: TokenTensor | Int32Array | readonly number[]): Variable {
    return embedding(ids, this.weight);
  }
}

/** Layer normalisation over the last axis with learned γ (ones) and β (zeros). */
export class LayerNorm extends Module {
  readonly weight: Variable;
  readonly bias: Variable;

  constructor(readonly dim: number, readonly eps = 1e-5, options: Pick<InitOptions, 'dtype'> = {}) {
    super();
    size(dim, 'dim');
    this.weight = parameter(zerosOf(dim, options.dtype).fill(1), [dim]);
    this.bias = parameter(zerosOf(dim, options.dtype), [dim]);
  }

  forward(x: Variable): Variable {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/** RMS normalisation over the last axis with learned γ (ones). */
export class RMSNorm extends Module {
  readonly weight: Variable;

  constructor(readonly dim: number, readonly eps = 1e-6, options: Pick<InitOptions, 'dtype'> = {}) {
    super();
    size(dim, 'dim');
    this.weight = parameter(zerosOf(dim, options.dtype).fill(1), [dim]);
  }

  forward(x: Variable): Variable {
    return rmsNorm(x, this.weight, this.eps);
  }
}

export interface MLPOptions extends InitOptions {
  /** Hidden width (default 4·dim for GELU, 8/3·dim rounded to a multiple of 8 for SwiGLU). */
  hidden?: number;
  /**
   * `'gelu-tanh'` (default): W₂·GELU(W₁x) with GELU in its tanh form (GPT-2; one Math.tanh per entry);
   * `'gelu'`: the exact erf form; `'swiglu'` (Shazeer 2020): W₂·(SiLU(W₁x) ⊙ W₃x), no biases.
   */
  activation?: 'gelu' | 'gelu-tanh' | 'swiglu';
}

/** The transformer feed-forward block. */
export class MLP extends Module {
  readonly up: Linear;
  readonly gate: Linear | null;
  readonly down: Linear;
  readonly activation: 'gelu' | 'gelu-tanh' | 'swiglu';

  constructor(readonly dim: number, options: MLPOptions = {}) {
    super();
    size(dim, 'dim');
    this.activation = options.activation ?? 'gelu-tanh';
    if (!['gelu', 'gelu-tanh', 'swiglu'].includes(this.activation)) fail('E_PARAM', 'activation', "'gelu', 'gelu-tanh' or 'swiglu'", this.activation);
    const swiglu = this.activation === 'swiglu';
    const hidden = size(options.hidden ?? (swiglu ? Math.max(8, Math.round((8 * dim) / 3 / 8) * 8) : 4 * dim), 'hidden');
    const rng = options.rng ?? createRng(0);
    this.up = new Linear(dim, hidden, { ...options, rng, bias: !swiglu });
    this.gate = swiglu ? new Linear(dim, hidden, { ...options, rng, bias: false }) : null;
    this.down = new Linear(hidden, dim, { ...options, rng, bias: !swiglu });
  }

  forward(x: Variable): Variable {
    const up = this.up.forward(x);
    const h = this.gate ? mul(silu(this.gate.forward(x)), up) : gelu(up, { approximate: this.activation === 'gelu' ? 'none' : 'tanh' });
    return this.down.forward(h);
  }
}

/** Modules applied in order (each must have `forward(x: Variable): Variable`). */
export class Sequential extends Module {
  readonly layers: Array<Module & { forward(x: Variable): Variable }>;

  constructor(...layers: Array<Module & { forward(x: Variable): Variable }>) {
    super();
    this.layers = layers;
  }

  forward(x: Variable): Variable {
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }
}

/** Residual connection helper: x + f(x). */
export function residual(x: Variable, fx: Variable): Variable {
  return add(x, fx);
}
