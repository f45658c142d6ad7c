import type { Tensor, Variable as TfVariable } from '@tensorflow/tfjs-core';
import type { Tf } from '../../peers/tfjs.js';
import type { TokenBatch } from 'softmax';
import type { LanguageModelConfig } from './config.js';

/** A tensor by name, in our layout (PyTorch's: Linear weights [out, in]). */
export type NamedTensors = ReadonlyMap<string, { data: Float32Array | Float64Array; dims: readonly number[] }>;

/** AdamW hyper-parameters, as `AdamW` in softmax (decoupled decay applied to every parameter). */
export interface TfAdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

const GELU_C = Math.sqrt(2 / Math.PI);
/** tfjs variable names are global: each model prefixes its own. */
let instances = 0;
const MASKED = -1e9;

/** Names and shapes of the parameters of the demonstration transformer, in our `TransformerLM`'s naming. */
export function parameterShapes(config: LanguageModelConfig): Map<string, number[]> {
  const { vocab, dModel: d, layers, maxLength } = config;
  const hidden = 4 * d;
  const shapes = new Map<string, number[]>([
    ['tokens.weight', [vocab, d]],
    ['positions.weight', [maxLength, d]],
  ]);
  for (let i = 0; i < layers; i++) {
    const p = `blocks.${i}.`;
    shapes.set(`${p}norm1.weight`, [d]);
    shapes.set(`${p}norm1.bias`, [d]);
    for (const w of ['query', 'key', 'value', 'output']) shapes.set(`${p}attention.${w}.weight`, [d, d]);
    shapes.set(`${p}norm2.weight`, [d]);
    shapes.set(`${p}norm2.bias`, [d]);
    shapes.set(`${p}mlp.up.weight`, [hidden, d]);
    shapes.set(`${p}mlp.up.bias`, [hidden]);
    shapes.set(`${p}mlp.down.weight`, [d, hidden]);
    shapes.set(`${p}mlp.down.bias`, [d]);
  }
  shapes.set('norm.weight', [d]);
  shapes.set('norm.bias', [d]);
  shapes.set('head.weight', [vocab, d]);
  return shapes;
}

/**
 * The demonstration transformer written with TensorFlow.js ops, trained with `tf.variableGrads` and an
 * AdamW update made of tf ops: token embedding (a one-hot matMul: the wasm backend has no gradient
 * kernel for gather) plus learned positions, pre-norm blocks of causal softmax attention (no biases)
 * and a GELU-tanh MLP 4× (with biases), a final LayerNorm and a bias-free read-out — the same
 * architecture, parameter names, layouts and initial values as our `TransformerLM`.
 */
export class TfjsTransformer {
  readonly variables: Map<string, TfVariable>;
  private readonly moments: Map<string, [TfVariable, TfVariable]>;
  private readonly mask: Tensor;
  private stepCount = 0;
  private readonly prefix: string;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  constructor(
    private readonly tf: Tf,
    readonly config: LanguageModelConfig,
    initial: NamedTensors,
    private readonly optimizer: TfAdamWOptions,
  ) {
    this.beta1 = optimizer.beta1 ?? 0.9;
    this.beta2 = optimizer.beta2 ?? 0.999;
    this.eps = optimizer.eps ?? 1e-8;
    this.weightDecay = optimizer.weightDecay ?? 0.01;
    this.prefix = `tfjs-transformer-${instances++}/`;
    this.variables = new Map();
    this.moments = new Map();
    for (const [name, dims] of parameterShapes(config)) {
      const given = initial.get(name);
      if (given === undefined || given.dims.length !== dims.length || given.dims.some((x, i) => x !== dims[i])) {
        throw new Error(`tfjs transformer: parameter ${name} [${dims.join(', ')}] missing or of another shape in the initial values`);
      }
      this.variables.set(name, tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(given.data), dims), true, this.prefix + name)));
      this.moments.set(name, tf.tidy(() => [tf.variable(tf.zeros(dims), false), tf.variable(tf.zeros(dims), false)]));
    }
    const L = config.maxLength;
    const mask = new Float32Array(L * L);
    for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) mask[i * L + j] = MASKED;
    this.mask = tf.tensor2d(mask, [L, L]);
  }

  /** Trainable scalars (equal to our model's `parameterCount()`). */
  parameterCount(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  private p(name: string): Tensor {
    const v = this.variables.get(name);
    if (v === undefined) throw new Error(`no parameter ${name}`);
    return v;
  }

  private layerNorm(x: Tensor, prefix: string): Tensor {
    const tf = this.tf;
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), this.p(`${prefix}.weight`)), this.p(`${prefix}.bias`));
  }

  private linear(x: Tensor, prefix: string, bias: boolean): Tensor {
    const y = this.tf.matMul(x, this.p(`${prefix}.weight`), false, true);
    return bias ? this.tf.add(y, this.p(`${prefix}.bias`)) : y;
  }

  private attention(x: Tensor, prefix: string, batch: number, length: number): Tensor {
    const tf = this.tf;
    const { heads, dModel } = this.config;
    const dh = dModel / heads;
    const split = (t: Tensor): Tensor => tf.transpose(tf.reshape(t, [batch, length, heads, dh]), [0, 2, 1, 3]);
    const q = split(this.linear(x, `${prefix}.query`, false));
    const k = split(this.linear(x, `${prefix}.key`, false));
    const v = split(this.linear(x, `${prefix}.value`, false));
    const mask = length === this.config.maxLength ? this.mask : tf.slice(this.mask, [0, 0], [length, length]);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), tf.scalar(1 / Math.sqrt(dh))), mask);
    const o = tf.matMul(tf.softmax(scores), v);
    return this.linear(tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [batch * length, dModel]), `${prefix}.output`, false);
  }

  private mlp(x: Tensor, prefix: string): Tensor {
    const tf = this.tf;
    const u = this.linear(x, `${prefix}.up`, true);
    // GELU, tanh form: ½u(1 + tanh(√(2/π)(u + 0.044715u³))).
    const inner = tf.mul(tf.add(u, tf.mul(tf.pow(u, tf.scalar(3)), 0.044715)), GELU_C);
    const h = tf.mul(tf.mul(u, 0.5), tf.add(tf.tanh(inner), 1));
    return this.linear(h, `${prefix}.down`, true);
  }

  /** Logits [batch·length, vocab] of token ids [batch, length]. */
  forward(ids: Int32Array, batch: number, length: number): Tensor {
    const tf = this.tf;
    const { vocab, dModel, layers } = this.config;
    const oneHot = tf.oneHot(tf.tensor1d(ids, 'int32'), vocab);
    const tokens = tf.reshape(tf.matMul(tf.cast(oneHot, 'float32'), this.p('tokens.weight')), [batch, length, dModel]);
    const positions = length === this.config.maxLength ? this.p('positions.weight') : tf.slice(this.p('positions.weight'), [0, 0], [length, dModel]);
    let h = tf.reshape(tf.add(tokens, positions), [batch * length, dModel]);
    for (let i = 0; i < layers; i++) {
      const b = `blocks.${i}`;
      h = tf.add(h, this.attention(this.layerNorm(h, `${b}.norm1`), `${b}.attention`, batch, length));
      h = tf.add(h, this.mlp(this.layerNorm(h, `${b}.norm2`), `${b}.mlp`));
    }
    return this.linear(this.layerNorm(h, 'norm'), 'head', false);
  }

  /** Mean cross-entropy over the scored positions (targets ≥ 0), as a scalar tensor. */
  loss(batch: TokenBatch): Tensor {
    const tf = this.tf;
    const [b, l] = batch.inputs.dims;
    const { vocab } = this.config;
    const picks = new Float32Array(b * l * vocab);
    let scored = 0;
    batch.targets.data.forEach((t, i) => {
      if (t < 0) return;
      picks[i * vocab + t] = 1;
      scored++;
    });
    const logp = tf.logSoftmax(this.forward(batch.inputs.data, b, l));
    return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(picks, [b * l, vocab])))), Math.max(1, scored));
  }

  /** Loss and gradients by name, without updating (for validation against ours). */
  gradients(batch: TokenBatch): { loss: number; grads: Map<string, Float32Array> } {
    const tf = this.tf;
    const names = [...this.variables.keys()];
    const { value, grads } = tf.variableGrads(() => this.loss(batch) as ReturnType<typeof tf.scalar>, names.map((n) => this.variables.get(n)!));
    const out = new Map<string, Float32Array>();
    for (const n of names) {
      const g = grads[this.prefix + n];
      out.set(n, g.dataSync() as Float32Array);
      g.dispose();
    }
    const loss = value.dataSync()[0];
    value.dispose();
    return { loss, grads: out };
  }

  /** One optimisation step (forward, backward, AdamW); returns the batch loss. */
  step(batch: TokenBatch): number {
    const tf = this.tf;
    this.stepCount++;
    const t = this.stepCount;
    const { lr } = this.optimizer;
    const { beta1, beta2, eps, weightDecay } = this;
    const c1 = 1 / (1 - beta1 ** t);
    const c2 = 1 / (1 - beta2 ** t);
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.loss(batch) as ReturnType<typeof tf.scalar>, [...this.variables.values()]);
      for (const [name, p] of this.variables) {
        const g = grads[this.prefix + name];
        const [m, v] = this.moments.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.mul(m, lr * c1), tf.add(tf.sqrt(tf.mul(v, c2)), eps));
        p.assign(tf.sub(tf.mul(p, 1 - lr * weightDecay), update));
      }
      return value;
    });
    // Reading the loss back synchronises with the backend, as reading our loss does.
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    for (const [m, v] of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.mask.dispose();
  }
}
