import type { Normalizer } from '../normalizers/registry.js';
import { fail } from '../tensor/errors.js';
import { createRng, type Rng } from '../tensor/rng.js';
import type { Variable } from '../train/autograd/variable.js';
import type { TokenTensor } from '../train/data/batch.js';
import { Embedding, Linear } from '../train/modules/layers.js';
import { Module } from '../train/modules/module.js';
import { decoderLMForward } from '../train/modules/transformer.js';
import { add } from '../train/ops/elementwise.js';
import { gelu } from '../train/ops/unary.js';
import { quaternionAttend } from './quaternionAttend.js';
import type { QuaternionAttentionVariant } from './quaternionAttentionTypes.js';
import { QuaternionLinear, quaternionWidth } from './quaternionLinear.js';
import { QuaternionRMSNorm } from './quaternionRmsNorm.js';

export interface QuaternionAttentionModuleOptions {
  /** `'shared'` (default; Yamauchi et al. 2026) or `'componentwise'` (Tay et al. 2019). */
  variant?: QuaternionAttentionVariant;
  /** Causal (decoder) attention. Default true. */
  causal?: boolean;
  /** Any attention normaliser (default softmax, flash path). */
  normalizer?: string | Normalizer;
  normalizerOptions?: Record<string, unknown>;
  /** Component-wise value aggregation (see `quaternionAttention`). */
  valueProduct?: 'concat' | 'hamilton';
  /** Quaternion RMSNorm on Q and K (the authors' default). Default true. */
  qkNorm?: boolean;
  /** Seeded generator for the projections' polar init. */
  rng?: Rng;
  dtype?: 'float32' | 'float64';
}

/**
 * Quaternion multi-head self-attention module: Q, K, V from `QuaternionLinear` projections (optional
 * quaternion RMSNorm on Q and K), `quaternionAttend` with the chosen variant, a `QuaternionLinear`
 * output projection. x `[batch, length, dModel]` (`[r | i | j | k]` blocks) → same shape. Parameters
 * 4·dModel²/4 = dModel² (a real multi-head attention has 4·dModel²).
 */
export class QuaternionMultiHeadAttention extends Module {
  readonly query: QuaternionLinear;
  readonly key: QuaternionLinear;
  readonly value: QuaternionLinear;
  readonly output: QuaternionLinear;
  readonly queryNorm: QuaternionRMSNorm | null;
  readonly keyNorm: QuaternionRMSNorm | null;

  constructor(readonly dModel: number, readonly heads: number, private readonly options: QuaternionAttentionModuleOptions = {}) {
    super();
    quaternionWidth(dModel, 'dModel');
    if (!Number.isInteger(heads) || heads < 1 || (dModel / 4) % heads !== 0) fail('E_PARAM', 'heads', `an integer ≥ 1 dividing dModel/4 (${dModel / 4})`, heads);
    const rng = options.rng ?? createRng(0);
    const init = { rng, dtype: options.dtype, bias: false };
    this.query = new QuaternionLinear(dModel, dModel, init);
    this.key = new QuaternionLinear(dModel, dModel, init);
    this.value = new QuaternionLinear(dModel, dModel, init);
    this.output = new QuaternionLinear(dModel, dModel, init);
    const qk = options.qkNorm ?? true;
    this.queryNorm = qk ? new QuaternionRMSNorm(dModel, 1e-6, options) : null;
    this.keyNorm = qk ? new QuaternionRMSNorm(dModel, 1e-6, options) : null;
  }

  forward(x: Variable): Variable {
    if (x.dims.length !== 3 || x.dims[2] !== this.dModel) fail('E_SHAPE', 'x', `[batch, length, ${this.dModel}]`, `[${x.dims.join(', ')}]`);
    let q = this.query.forward(x);
    let k = this.key.forward(x);
    if (this.queryNorm && this.keyNorm) {
      q = this.queryNorm.forward(q);
      k = this.keyNorm.forward(k);
    }
    const o = quaternionAttend(q, k, this.value.forward(x), {
      variant: this.options.variant ?? 'shared',
      heads: this.heads,
      causal: this.options.causal ?? true,
      normalizer: this.options.normalizer,
      normalizerOptions: this.options.normalizerOptions,
      valueProduct: this.options.valueProduct,
    });
    return this.output.forward(o);
  }
}

export interface QuaternionTransformerBlockOptions extends QuaternionAttentionModuleOptions {
  /** MLP hidden width, a multiple of 4 (default 4·dModel). */
  mlpHidden?: number;
}

/**
 * Pre-norm quaternion transformer block: h = x + QAttn(QNorm₁(x)); y = h + W₂ ⊗ GELU(W₁ ⊗ QNorm₂(h)),
 * every linear map a `QuaternionLinear`, norms `QuaternionRMSNorm` (GELU, tanh approximation as in
 * GPT-2, applied per real component: the "split" activation of Parcollet et al.).
 */
export class QuaternionTransformerBlock extends Module {
  readonly norm1: QuaternionRMSNorm;
  readonly attention: QuaternionMultiHeadAttention;
  readonly norm2: QuaternionRMSNorm;
  readonly up: QuaternionLinear;
  readonly down: QuaternionLinear;

  constructor(readonly dModel: number, heads: number, options: QuaternionTransformerBlockOptions = {}) {
    super();
    const rng = options.rng ?? createRng(0);
    this.norm1 = new QuaternionRMSNorm(dModel, 1e-6, options);
    this.attention = new QuaternionMultiHeadAttention(dModel, heads, { ...options, rng });
    this.norm2 = new QuaternionRMSNorm(dModel, 1e-6, options);
    const hidden = quaternionWidth(options.mlpHidden ?? 4 * dModel, 'mlpHidden');
    this.up = new QuaternionLinear(dModel, hidden, { rng, dtype: options.dtype });
    this.down = new QuaternionLinear(hidden, dModel, { rng, dtype: options.dtype });
  }

  forward(x: Variable): Variable {
    const h = add(x, this.attention.forward(this.norm1.forward(x)));
    return add(h, this.down.forward(gelu(this.up.forward(this.norm2.forward(h)), { approximate: 'tanh' })));
  }
}

export interface QuaternionTransformerLMOptions extends QuaternionTransformerBlockOptions {
  vocab: number;
  /** Model width, a multiple of 4·heads. */
  dModel: number;
  heads: number;
  layers: number;
  maxLength: number;
  seed?: number;
}

/**
 * A small decoder-only quaternion language model usable with `train()`: real token and position
 * embeddings `[vocab | maxLength, dModel]` read as `[r | i | j | k]` features, `layers`
 * `QuaternionTransformerBlock`s, a final `QuaternionRMSNorm` and a real linear read-out to vocabulary
 * logits `[batch, length, vocab]`. Deterministic from `seed`.
 */
export class QuaternionTransformerLM extends Module {
  readonly tokens: Embedding;
  readonly positions: Embedding;
  readonly blocks: QuaternionTransformerBlock[];
  readonly norm: QuaternionRMSNorm;
  readonly head: Linear;

  constructor(readonly config: QuaternionTransformerLMOptions) {
    super();
    const rng = createRng(config.seed ?? 0);
    const options = { ...config, rng };
    this.tokens = new Embedding(config.vocab, config.dModel, { rng, dtype: config.dtype });
    this.positions = new Embedding(config.maxLength, config.dModel, { rng, dtype: config.dtype });
    this.blocks = Array.from({ length: config.layers }, () => new QuaternionTransformerBlock(config.dModel, config.heads, options));
    this.norm = new QuaternionRMSNorm(config.dModel, 1e-6, config);
    this.head = new Linear(config.dModel, config.vocab, { rng, dtype: config.dtype, bias: false });
  }

  forward(ids: TokenTensor): Variable {
    return decoderLMForward(this, ids);
  }
}

