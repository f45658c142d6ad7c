import { describe, expect, it } from 'vitest';
import { Variable } from '../../src/train/autograd/variable.js';
import { Linear, LayerNorm, MLP, RMSNorm, Embedding, Sequential } from '../../src/train/modules/layers.js';
import { MultiHeadAttention, TransformerBlock, TransformerLM } from '../../src/train/modules/transformer.js';
import { initValues } from '../../src/train/modules/init.js';
import { loadSafetensors, saveSafetensors } from '../../src/train/checkpoint/safetensors.js';
import { sum } from '../../src/train/ops/reduce.js';
import { crossEntropyLoss } from '../../src/train/ops/losses.js';
import { normalize } from '../../src/train/ops/normalize.js';
import { reshape, transpose } from '../../src/train/ops/shape.js';
import { attention } from '../../src/attention/attention.js';
import { createRng } from '../../src/tensor/rng.js';
import { expectSoftmaxError } from '../ops/helpers.js';
import { gradCheck, leaf, rng } from './gradcheck.js';

const f64 = { dtype: 'float64' as const };

/** Gradient check of a module's forward with respect to its input and every parameter. */
function checkModule(module: { parameters(): Variable[] }, forward: (x: Variable) => Variable, x: Variable, rtol = 1e-5): void {
  const params = module.parameters();
  gradCheck((input, ...ps) => {
    // The parameters are read from the module; ps only routes the perturbations.
    void ps;
    return forward(input);
  }, [x, ...params], { rtol, atol: 1e-6 });
}

describe('layers', () => {
  const rand = rng(11);
  it('Linear is x·Wᵀ + b with PyTorch’s [out, in] layout', () => {
    const lin = new Linear(3, 2, { ...f64, rng: createRng(1) });
    lin.weight.data.set([1, 2, 3, 4, 5, 6]);
    lin.bias!.data.set([0.5, -0.5]);
    const y = lin.forward(new Variable(Float64Array.from([1, 0, -1]), [1, 3]));
    expect(Array.from(y.data)).toEqual([1 - 3 + 0.5, 4 - 6 - 0.5]);
    expect([...lin.namedParameters().keys()]).toEqual(['weight', 'bias']);
  });

  it('gradients of Linear, LayerNorm, RMSNorm, both MLPs and Sequential match finite differences', () => {
    const lin = new Linear(4, 3, { ...f64, rng: createRng(2), std: 0.5 });
    checkModule(lin, (x) => lin.forward(x), leaf(rand, [2, 4]));
    const ln = new LayerNorm(4, 1e-5, f64);
    ln.weight.data.set([0.5, 1, 1.5, 2]);
    checkModule(ln, (x) => ln.forward(x), leaf(rand, [3, 4]));
    const rms = new RMSNorm(4, 1e-6, f64);
    checkModule(rms, (x) => rms.forward(x), leaf(rand, [3, 4]));
    for (const activation of ['gelu', 'gelu-tanh', 'swiglu'] as const) {
      const mlp = new MLP(4, { ...f64, activation, hidden: 6, rng: createRng(3), std: 0.5 });
      checkModule(mlp, (x) => mlp.forward(x), leaf(rand, [2, 4]));
    }
    const seq = new Sequential(new Linear(4, 5, { ...f64, std: 0.5 }), new LayerNorm(5, 1e-5, f64));
    checkModule(seq, (x) => seq.forward(x), leaf(rand, [2, 4]));
    expect([...seq.namedParameters().keys()]).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
  });

  it('init schemes have the documented scales', () => {
    const n = 20000;
    const sd = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / a.length);
    expect(sd(initValues(n, 100, 50, { scheme: 'kaiming' }))).toBeCloseTo(Math.SQRT2 / 10, 2);
    const a = Math.sqrt(6 / 150);
    expect(Math.max(...initValues(n, 100, 50, { scheme: 'xavier' }))).toBeLessThanOrEqual(a);
    expect(sd(initValues(n, 100, 50, { scheme: 'xavier' }))).toBeCloseTo(a / Math.sqrt(3), 2);
    expect(sd(initValues(n, 256, 10, { scheme: 'mup', std: 0.02, baseWidth: 64 }))).toBeCloseTo(0.01, 3);
    expect(sd(initValues(n, 256, 10, { scheme: 'mup', std: 0.02, baseWidth: 64, role: 'output' }))).toBeCloseTo(0.005, 3);
  });
});

describe('attention modules', () => {
  const rand = rng(12);
  for (const [label, options] of [
    ['softmax', {}],
    ['sparsemax', { normalizer: 'sparsemax' }],
    ['sigmoid', { normalizer: 'sigmoid' }],
    ['input-gated', { gate: 'input' as const }],
    ['query-gated GQA', { gate: 'query' as const, kvHeads: 1 }],
    ['clipped softmax', { normalizer: 'clippedSoftmax', normalizerOptions: { gamma: -0.1, zeta: 1 } }],
    ['rotary', { rope: { base: 50 } }],
    ['ALiBi', { alibi: true }],
  ] as const) {
    it(`MultiHeadAttention (${label}) gradients match finite differences`, () => {
      const mha = new MultiHeadAttention(8, 2, { ...f64, ...options, rng: createRng(4), std: 0.4 });
      checkModule(mha, (x) => mha.forward(x), leaf(rand, [1, 3, 8]), 1e-4);
    });
  }

  it('TransformerBlock gradients and parameter names', () => {
    const block = new TransformerBlock(8, 2, { ...f64, rng: createRng(5), std: 0.3, mlpHidden: 8 });
    checkModule(block, (x) => block.forward(x), leaf(rand, [1, 3, 8]), 1e-4);
    expect([...block.namedParameters().keys()]).toContain('attention.query.weight');
    expect([...block.namedParameters().keys()]).toContain('mlp.down.bias');
  });

  it('rejects bad configurations by name', () => {
    expectSoftmaxError(() => new MultiHeadAttention(8, 3), 'E_PARAM', 'heads');
    expectSoftmaxError(() => new MultiHeadAttention(8, 4, { kvHeads: 3 }), 'E_PARAM', 'kvHeads');
    expectSoftmaxError(() => new MultiHeadAttention(8, 2).forward(new Variable(new Float32Array(6), [1, 1, 6])), 'E_SHAPE', 'x');
    expectSoftmaxError(() => new MultiHeadAttention(6, 2, { rope: true }), 'E_PARAM', 'rope');
    expectSoftmaxError(() => new TransformerLM({ vocab: 5, dModel: 8, heads: 2, layers: 1, maxLength: 4, positional: 'sinusoid' as never }), 'E_PARAM', 'positional');
  });
});

describe('language model, losses and checkpoints', () => {
  const config = { vocab: 7, dModel: 8, heads: 2, layers: 2, maxLength: 6, seed: 3, mlpHidden: 16 };

  it('a tiny model overfits one batch to near-zero loss', async () => {
    const { Adam } = await import('../../src/train/optim/optimizers.js');
    const model = new TransformerLM(config);
    const ids = { data: Int32Array.from([1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1]), dims: [2, 6] as [number, number] };
    const targets = Int32Array.from([2, 3, 4, 5, 6, 0, 5, 4, 3, 2, 1, 0]);
    const opt = new Adam(model.parameters(), { lr: 0.02 });
    let loss = Infinity;
    for (let step = 0; step < 150; step++) {
      opt.zeroGrad();
      const l = crossEntropyLoss(reshape(model.forward(ids), [-1, 7]), targets);
      l.backward();
      opt.step();
      loss = l.item();
    }
    expect(loss).toBeLessThan(0.02);
  });

  it('ALiBi adds −m_h·(i − j), m_h = 2^(−8(h+1)/heads), to the scores of head h', () => {
    const mha = new MultiHeadAttention(8, 2, { ...f64, alibi: true, rng: createRng(6), std: 0.4 });
    const x = leaf(rng(3), [1, 4, 8]);
    const split = (y: Variable) => transpose(reshape(y, [1, 4, 2, 4]), [0, 2, 1, 3]);
    const mask = new Float64Array(2 * 4 * 4);
    for (let h = 0; h < 2; h++) for (let i = 0; i < 4; i++) for (let j = 0; j <= i; j++) mask[(h * 4 + i) * 4 + j] = -Math.pow(2, -4 * (h + 1)) * (i - j);
    const o = attention(split(mha.query.forward(x)), split(mha.key.forward(x)), split(mha.value.forward(x)), { causal: true, mask: { data: mask, dims: [1, 2, 4, 4] } });
    const want = mha.output.forward(reshape(transpose(new Variable(o.data, o.dims), [0, 2, 1, 3]), [1, 4, 8]));
    expect(Array.from(mha.forward(x).data)).toEqual(Array.from(want.data));
  });

  it('rotary positions: no position table, and positions still matter (a permuted prefix changes the logits)', () => {
    const model = new TransformerLM({ ...config, positional: 'rope' });
    expect(model.positions).toBeNull();
    expect([...model.namedParameters().keys()].some((n) => n.startsWith('positions'))).toBe(false);
    const logits = (ids: number[]) => model.forward({ data: Int32Array.from(ids), dims: [1, ids.length] }).data;
    const a = logits([1, 2, 3, 4]);
    const b = logits([2, 1, 3, 4]);
    expect(Math.max(...a.subarray(3 * 7).map((v, i) => Math.abs(v - b[3 * 7 + i])))).toBeGreaterThan(1e-4);
    const none = new TransformerLM({ ...config, layers: 1, positional: 'none' });
    const c = none.forward({ data: Int32Array.from([1, 2, 3, 4]), dims: [1, 4] }).data;
    const d = none.forward({ data: Int32Array.from([2, 1, 3, 4]), dims: [1, 4] }).data;
    expect(Math.max(...c.subarray(3 * 7).map((v, i) => Math.abs(v - d[3 * 7 + i])))).toBeLessThan(1e-5); // one causal layer without positions is order-blind at the last position
  });

  it('checkpoints round-trip bit-exactly and mismatches are reported by name', () => {
    const a = new TransformerLM(config);
    const b = new TransformerLM({ ...config, seed: 4 });
    const bytes = saveSafetensors(a.stateDict());
    b.loadStateDict(loadSafetensors(bytes).tensors);
    for (const [name, p] of a.namedParameters()) {
      expect(new Uint8Array(b.namedParameters().get(name)!.data.buffer)).toEqual(new Uint8Array(p.data.buffer));
    }
    const wider = new TransformerLM({ ...config, dModel: 12, heads: 2 });
    expect(() => wider.loadStateDict(a.stateDict())).toThrow(/tokens\.weight: checkpoint \[7, 8\] vs model \[7, 12\]/);
    const fewer = new TransformerLM({ ...config, layers: 1 });
    expect(() => fewer.loadStateDict(a.stateDict())).toThrow(/unexpected blocks\.1\.norm1\.weight/);
    fewer.loadStateDict(a.stateDict(), { strict: false });
  });

  it('normalize and crossEntropyLoss on the tape reuse the library’s vjps', () => {
    const rand = rng(13);
    for (const name of ['softmax', 'sparsemax', 'entmax']) gradCheck((x) => normalize(x, name), [leaf(rand, [2, 5], -2, 2)], { rtol: 1e-5 });
    gradCheck((x) => crossEntropyLoss(x, [1, 3], { labelSmoothing: 0.1 }), [leaf(rand, [2, 4])]);
    gradCheck((x) => crossEntropyLoss(x, [1, -100, 0], { reduction: 'none' }), [leaf(rand, [3, 4])]);
    const x = new Variable(Float64Array.from([1, 2, 3]), [3], { requiresGrad: true });
    sum(normalize(x)).backward();
    expect(Math.max(...Array.from(x.grad!).map(Math.abs))).toBeLessThan(1e-15); // Σ softmax = 1
  });

  it('Embedding rows and dims', () => {
    const e = new Embedding(5, 3, f64);
    const y = e.forward({ data: Int32Array.from([4, 0]), dims: [1, 2] });
    expect(y.dims).toEqual([1, 2, 3]);
  });
});
