import type { Normalizer } from '../../normalizers/registry.js';
import { fail } from '../../tensor/errors.js';
import { createRng, type Rng } from '../../tensor/rng.js';
import type { Variable } from '../autograd/variable.js';
import type { TokenTensor } from '../data/batch.js';
import { alibiMask } from '../../attention/alibi.js';
import { attend } from '../ops/attention.js';
import { add } from '../ops/elementwise.js';
import { reshape, transpose } from '../ops/shape.js';
import { dropout } from '../ops/dropout.js';
import { rope } from '../ops/rope.js';
import type { InitOptions } from './init.js';
import { Embedding, LayerNorm, Linear, MLP, parameter, RMSNorm, type MLPOptions } from './layers.js';
import { zerosOf } from './init.js';
import { Module } from './module.js';

export interface MultiHeadAttentionOptions extends InitOptions {
  /** Key/value heads (grouped-query attention when fewer than `heads`; default `heads`). */
  kvHeads?: number;
  /** Causal (decoder) attention. Default true. */
  causal?: boolean;
  /** Any attention normaliser: 'softmax' (default, flash path), 'sparsemax', 'entmax', 'sigmoid', 'clippedSoftmax', … */
  normalizer?: string | Normalizer;
  /** Its options, e.g. `{ alpha: 1.5 }` for entmax or `{ alpha: 4 }` for clipped softmax (γ = −α/L). */
  normalizerOptions?: Record<string, unknown>;
  /**
   * Output gate: `'input'` (Bondarenko et al. 2023: per head, a Linear(d_head → 1) of the layer input
   * split into heads) or `'query'` (Qiu et al. 2025: headwise Linear(dModel → heads)). Gate biases start
   * at logit(`gateInit`) (default π_init = 0.5, i.e. 0).
   */
  gate?: 'none' | 'input' | 'query';
  gateInit?: number;
  /** Bias on the q/k/v/output projections (default false). */
  bias?: boolean;
  /**
   * Rotary position embedding of queries and keys (Su et al. 2021; see `rope`): `true` for base 10000, or
   * `{ base }`. Default false (positions come from elsewhere, e.g. learned embeddings).
   */
  rope?: boolean | { base?: number };
  /**
   * ALiBi linear biases (Press, Smith & Lewis 2022; see `alibiMask`): head h adds −m_h·|i − j| to the score
   * of query i and key j, with slopes m_h = 2^(−8(h+1)/heads). Default false.
   */
  alibi?: boolean;
}

const headsSplit = (x: Variable, heads: number): Variable => {
  const [b, l, width] = x.dims;
  return transpose(reshape(x, [b, l, heads, width / heads]), [0, 2, 1, 3]);
};

/**
 * Multi-head self-attention on [batch, length, dModel] with any normaliser, causal by default, optional
 * grouped-query heads and output gates: Y = W_o·concat_h(gate_h ⊙ attention(W_q x, W_k x, W_v x)_h).
 */
export class MultiHeadAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly output: Linear;
  readonly gateWeight: Variable | null;
  readonly gateBias: Variable | null;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  private readonly options: MultiHeadAttentionOptions;
  private readonly ropeBase: number | null;

  constructor(readonly dModel: number, heads: number, options: MultiHeadAttentionOptions = {}) {
    super();
    if (!Number.isInteger(heads) || heads < 1 || dModel % heads !== 0) fail('E_PARAM', 'heads', `an integer ≥ 1 dividing dModel (${dModel})`, heads);
    const kvHeads = options.kvHeads ?? heads;
    if (!Number.isInteger(kvHeads) || kvHeads < 1 || heads % kvHeads !== 0) fail('E_PARAM', 'kvHeads', `an integer ≥ 1 dividing heads (${heads})`, kvHeads);
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = dModel / heads;
    this.options = options;
    const r = options.rope ?? false;
    if (typeof r !== 'boolean' && (typeof r !== 'object' || r === null)) fail('E_PARAM', 'rope', 'a boolean or { base }', r);
    if (r !== false && this.headDim % 2 !== 0) fail('E_PARAM', 'rope', `an even head dimension (dModel / heads = ${this.headDim})`, r);
    this.ropeBase = r === false ? null : r === true ? 10000 : (r.base ?? 10000);
    const rng = options.rng ?? createRng(0);
    const init = { ...options, rng, bias: options.bias ?? false };
    this.query = new Linear(dModel, dModel, init);
    this.key = new Linear(dModel, kvHeads * this.headDim, init);
    this.value = new Linear(dModel, kvHeads * this.headDim, init);
    this.output = new Linear(dModel, dModel, init);
    const gate = options.gate ?? 'none';
    if (gate !== 'none' && gate !== 'input' && gate !== 'query') fail('E_PARAM', 'gate', "'none', 'input' or 'query'", gate);
    const pi = options.gateInit ?? 0.5;
    if (!(pi > 0 && pi < 1)) fail('E_PARAM', 'gateInit', 'a probability in (0, 1)', pi);
    if (gate === 'none') {
      this.gateWeight = null;
      this.gateBias = null;
    } else {
      const dims = gate === 'input' ? [heads, this.headDim] : [dModel, heads];
      const n = dims[0] * dims[1];
      const w = zerosOf(n, options.dtype);
      for (let i = 0; i < n; i++) w[i] = 0.02 * rng.normal();
      this.gateWeight = parameter(w, dims);
      this.gateBias = parameter(zerosOf(heads, options.dtype).fill(Math.log(pi / (1 - pi))), [heads]);
    }
  }

  forward(x: Variable): Variable {
    if (x.dims.length !== 3 || x.dims[2] !== this.dModel) fail('E_SHAPE', 'x', `[batch, length, ${this.dModel}]`, `[${x.dims.join(', ')}]`);
    const [b, l] = x.dims;
    let q = headsSplit(this.query.forward(x), this.heads);
    let k = headsSplit(this.key.forward(x), this.kvHeads);
    if (this.ropeBase !== null) {
      q = rope(q, { base: this.ropeBase });
      k = rope(k, { base: this.ropeBase });
    }
    const v = headsSplit(this.value.forward(x), this.kvHeads);
    const o = attend(q, k, v, {
      causal: this.options.causal ?? true,
      mask: this.options.alibi === true ? alibiMask(this.heads, l, q.data) : undefined,
      normalizer: this.options.normalizer,
      normalizerOptions: this.options.normalizerOptions,
      gate: this.gateWeight && this.gateBias ? { x, weight: this.gateWeight, bias: this.gateBias, mode: this.options.gate as 'input' | 'query' } : undefined,
    });
    return this.output.forward(reshape(transpose(o, [0, 2, 1, 3]), [b, l, this.dModel]));
  }
}

export interface TransformerBlockOptions extends MultiHeadAttentionOptions, Omit<MLPOptions, 'hidden'> {
  /** MLP hidden width (default by activation, see MLP). */
  mlpHidden?: number;
  /** Normalisation (default 'layer'). */
  norm?: 'layer' | 'rms';
  /** Residual dropout probability (default 0) and its generator. */
  dropout?: number;
  dropoutRng?: Rng;
}

/** Pre-norm transformer block: h = x + Attn(Norm₁(x)); y = h + MLP(Norm₂(h)). */
export class TransformerBlock extends Module {
  readonly norm1: LayerNorm | RMSNorm;
  readonly attention: MultiHeadAttention;
  readonly norm2: LayerNorm | RMSNorm;
  readonly mlp: MLP;
  private readonly dropoutP: number;
  private readonly dropoutRng: Rng;

  constructor(readonly dModel: number, heads: number, options: TransformerBlockOptions = {}) {
    super();
    const rng = options.rng ?? createRng(0);
    const makeNorm = (): LayerNorm | RMSNorm => (options.norm === 'rms' ? new RMSNorm(dModel, 1e-6, options) : new LayerNorm(dModel, 1e-5, options));
    this.norm1 = makeNorm();
    this.attention = new MultiHeadAttention(dModel, heads, { ...options, rng });
    this.norm2 = makeNorm();
    this.mlp = new MLP(dModel, { ...options, rng, hidden: options.mlpHidden });
    this.dropoutP = options.dropout ?? 0;
    this.dropoutRng = options.dropoutRng ?? createRng(1);
  }

  private drop(x: Variable): Variable {
    return this.dropoutP > 0 ? dropout(x, { p: this.dropoutP, rng: this.dropoutRng, training: this.training }) : x;
  }

  forward(x: Variable): Variable {
    const h = add(x, this.drop(this.attention.forward(this.norm1.forward(x))));
    return add(h, this.drop(this.mlp.forward(this.norm2.forward(h))));
  }
}

export interface TransformerLMOptions extends TransformerBlockOptions {
  vocab: number;
  dModel: number;
  heads: number;
  layers: number;
  /** Longest sequence. */
  maxLength: number;
  /**
   * How positions enter: `'learned'` (default) adds a learned embedding [maxLength, dModel] to the token
   * embeddings; `'rope'` rotates queries and keys in every attention layer instead (no position table);
   * `'alibi'` adds ALiBi's per-head linear distance biases to the attention scores; `'none'` gives the
   * model no position information beyond the causal mask.
   */
  positional?: 'learned' | 'rope' | 'alibi' | 'none';
  seed?: number;
}

/** The parts of a decoder-only language model that {@link decoderLMForward} runs. */
export interface DecoderLMParts {
  readonly config: { readonly maxLength: number };
  readonly tokens: Embedding;
  /** Learned position embeddings; null when positions enter otherwise (rotary) or not at all. */
  readonly positions: Embedding | null;
  readonly blocks: readonly { forward(x: Variable): Variable }[];
  readonly norm: { forward(x: Variable): Variable };
  readonly head: Linear;
}

/**
 * Forward of a decoder-only language model (shared by TransformerLM and QuaternionTransformerLM):
 * h = tokens(ids) (+ positions(0..length−1) when the model has a position table), then each block in
 * order, then head(norm(h)) → logits
 * [batch, length, vocab]. `E_SHAPE` when length > config.maxLength. O(layers · block cost).
 */
export function decoderLMForward(lm: DecoderLMParts, ids: TokenTensor): Variable {
  const [, length] = ids.dims;
  if (length > lm.config.maxLength) fail('E_SHAPE', 'ids', `sequences of at most maxLength (${lm.config.maxLength}) tokens`, length);
  let h = lm.tokens.forward(ids);
  if (lm.positions !== null) h = add(h, lm.positions.forward(Int32Array.from({ length }, (_, i) => i)));
  for (const block of lm.blocks) h = block.forward(h);
  return lm.head.forward(lm.norm.forward(h));
}

/**
 * A decoder-only transformer language model: token embeddings (+ learned position embeddings, or rotary
 * positions in attention: `positional`), `layers` pre-norm blocks, a final norm and a linear read-out to
 * vocabulary logits [batch, length, vocab]. Initialised deterministically from `seed`.
 */
export class TransformerLM extends Module {
  readonly tokens: Embedding;
  readonly positions: Embedding | null;
  readonly blocks: TransformerBlock[];
  readonly norm: LayerNorm | RMSNorm;
  readonly head: Linear;

  constructor(readonly config: TransformerLMOptions) {
    super();
    const positional = config.positional ?? 'learned';
    if (positional !== 'learned' && positional !== 'rope' && positional !== 'alibi' && positional !== 'none') fail('E_PARAM', 'positional', "'learned', 'rope', 'alibi' or 'none'", positional);
    const rng = createRng(config.seed ?? 0);
    const options = { ...config, rng, rope: positional === 'rope' ? (config.rope ?? true) : config.rope, alibi: positional === 'alibi' ? true : config.alibi };
    this.tokens = new Embedding(config.vocab, config.dModel, options);
    this.positions = positional === 'learned' ? new Embedding(config.maxLength, config.dModel, options) : null;
    // Each block draws its dropout masks from its own stream.
    this.blocks = Array.from({ length: config.layers }, (_, i) => new TransformerBlock(config.dModel, config.heads, { ...options, dropoutRng: createRng((config.seed ?? 0) + 7919 * (i + 1)) }));
    this.norm = config.norm === 'rms' ? new RMSNorm(config.dModel, 1e-6, config) : new LayerNorm(config.dModel, 1e-5, config);
    this.head = new Linear(config.dModel, config.vocab, { ...options, bias: false, role: 'output' });
  }

  forward(ids: TokenTensor): Variable {
    return decoderLMForward(this, ids);
  }
}
