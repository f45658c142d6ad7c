import { attention, createRng } from 'softmax';
import type { AttentionOptions, Rng } from 'softmax';
import type { AttentionIllustration, IllustratedAttentionMap } from './illustration-types.js';

/** A sentence-like sequence: words repeat, so a head whose keys resemble its queries has structure to find. */
export const EXAMPLE_TOKENS: readonly string[] = (
  'the cat sat on the mat and the dog sat on the cat while the bird sang on the mat near the dog .'
).split(' ');
const MODEL_DIM = 32;
const HEAD_DIM = 16;
const SEED = 0xa11e;
/** Keys are the queries' projection plus this much independent noise. */
const KEY_NOISE = 0.3;
const POSITION_WEIGHT = 0.5;

interface MapSpec {
  name: string;
  call: string;
  options: AttentionOptions;
  caption: string;
}

const MAPS: readonly MapSpec[] = [
  { name: 'softmax', call: "normalizer: 'softmax' (the default)", options: {}, caption: 'Every kept key gets some weight; rows sum to 1.' },
  { name: 'sparsemax', call: "normalizer: 'sparsemax'", options: { normalizer: 'sparsemax' }, caption: 'Euclidean projection onto the simplex: exact zeros, rows sum to 1.' },
  { name: 'entmax α=1.5', call: "normalizer: 'entmax', normalizerOptions: { alpha: 1.5 }", options: { normalizer: 'entmax', normalizerOptions: { alpha: 1.5 } }, caption: 'Between softmax and sparsemax: sparse, but less so than sparsemax; rows sum to 1.' },
  { name: 'softpick', call: "normalizer: 'softpick'", options: { normalizer: 'softpick' }, caption: 'Rectified softmax: keys scoring below the row\u2019s baseline get exactly 0 and rows may sum to less than 1 (a head can attend to little).' },
  { name: 'sigmoid', call: "normalizer: 'sigmoid'", options: { normalizer: 'sigmoid' }, caption: 'sigmoid(s − ln Lk) per key, no row normalisation: rows do not sum to 1.' },
];

function normals(rng: Rng, n: number, sd: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * sd;
  return out;
}

/** y[L, cols] = x[L, rows] · w[rows, cols]. */
function project(x: Float64Array, w: Float64Array, length: number, rows: number, cols: number): Float64Array {
  const y = new Float64Array(length * cols);
  for (let i = 0; i < length; i++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[i * cols + c] += x[i * rows + r] * w[r * cols + c];
  return y;
}

/** The example's layer input x [L, dModel]: one random vector per distinct word plus a sinusoidal position code. */
function embed(rng: Rng): Float64Array {
  const words = new Map<string, Float64Array>();
  const x = new Float64Array(EXAMPLE_TOKENS.length * MODEL_DIM);
  EXAMPLE_TOKENS.forEach((token, i) => {
    let e = words.get(token);
    if (e === undefined) words.set(token, (e = normals(rng, MODEL_DIM, 1)));
    for (let c = 0; c < MODEL_DIM; c++) {
      const angle = i / 10000 ** ((2 * Math.floor(c / 2)) / MODEL_DIM);
      x[i * MODEL_DIM + c] = e[c] + POSITION_WEIGHT * (c % 2 === 0 ? Math.sin(angle) : Math.cos(angle));
    }
  });
  return x;
}

function rowsOf(data: ArrayLike<number>, length: number): number[][] {
  return Array.from({ length }, (_, i) => Array.from({ length }, (_, j) => data[i * length + j]));
}

function describe(name: string, call: string, caption: string, weights: number[][]): IllustratedAttentionMap {
  let kept = 0;
  let zeros = 0;
  const sums = weights.map((row, i) => {
    // Causal: query i keeps keys 0..i.
    for (let j = 0; j <= i; j++) {
      kept++;
      if (row[j] === 0) zeros++;
    }
    return row.reduce((a, b) => a + b, 0);
  });
  return { name, call, caption, weights, zeroFraction: zeros / kept, rowSum: [Math.min(...sums), Math.max(...sums)] };
}

/**
 * The attention weights of one causal head (L = 24, head dimension 16, float64) on the example under
 * softmax, sparsemax, entmax-1.5, softpick, sigmoid, and softmax with a headwise output gate
 * (Qiu et al. 2025): the gate multiplies the head's output at query i by σ(x_i·w), so the map shows
 * weights × gate — the share of each value in the gated output. The gate is recomputed here and
 * checked against the library's gated output (output ratio = gate per row).
 */
export function computeAttentionIllustration(): AttentionIllustration {
  const rng = createRng(SEED);
  const length = EXAMPLE_TOKENS.length;
  const x = embed(rng);
  const wq = normals(rng, MODEL_DIM * HEAD_DIM, 1 / Math.sqrt(MODEL_DIM));
  const wk = wq.map((w) => w + rng.normal() * KEY_NOISE / Math.sqrt(MODEL_DIM));
  const wv = normals(rng, MODEL_DIM * HEAD_DIM, 1 / Math.sqrt(MODEL_DIM));
  const gateWeight = normals(rng, MODEL_DIM, 1 / Math.sqrt(MODEL_DIM));
  const dims = [1, 1, length, HEAD_DIM];
  const q = { data: project(x, wq, length, MODEL_DIM, HEAD_DIM), dims };
  const k = { data: project(x, wk, length, MODEL_DIM, HEAD_DIM), dims };
  const v = { data: project(x, wv, length, MODEL_DIM, HEAD_DIM), dims };

  const maps = MAPS.map((spec) => {
    const result = attention(q, k, v, { causal: true, returnWeights: true, ...spec.options });
    return describe(spec.name, spec.call, spec.caption, rowsOf(result.weights!.data, length));
  });

  const gate = Array.from({ length }, (_, i) => {
    let g = 0;
    for (let c = 0; c < MODEL_DIM; c++) g += x[i * MODEL_DIM + c] * gateWeight[c];
    return 1 / (1 + Math.exp(-g));
  });
  const plain = attention(q, k, v, { causal: true });
  const gated = attention(q, k, v, { causal: true, gate: { x: { data: x, dims: [1, length, MODEL_DIM] }, weight: { data: gateWeight, dims: [MODEL_DIM, 1] }, mode: 'query' } });
  let gateError = 0;
  for (let i = 0; i < length; i++) {
    for (let c = 0; c < HEAD_DIM; c++) gateError = Math.max(gateError, Math.abs(gated.data[i * HEAD_DIM + c] - gate[i] * plain.data[i * HEAD_DIM + c]));
  }
  const softmaxWeights = maps[0].weights;
  maps.push(
    describe(
      'gated (softmax × output gate)',
      "gate: { x, weight: [dModel, 1], mode: 'query' }",
      `Softmax weights times the head's output gate σ(x_i·w) at query i (headwise, Qiu et al. 2025): rows sum to the gate, in ` +
        `[${Math.min(...gate).toFixed(2)}, ${Math.max(...gate).toFixed(2)}] here, so a query can switch the head off. ` +
        `Checked against the library's gated output: |gated − gate·ungated| ≤ ${gateError.toExponential(1)}.`,
      softmaxWeights.map((row, i) => row.map((w) => w * gate[i])),
    ),
  );
  return {
    kind: 'attention',
    tokens: [...EXAMPLE_TOKENS],
    headDim: HEAD_DIM,
    causal: true,
    notes: [
      `One causal head, L = ${length}, head dimension ${HEAD_DIM}, float64. Layer input x = word vector (one N(0, 1) vector per distinct word, d = ${MODEL_DIM}) + ${POSITION_WEIGHT} × sinusoidal position code; ` +
        `q = x·Wq, k = x·Wk with Wk = Wq + noise (so repeated words attend to each other), v = x·Wv; seed ${SEED}.`,
      'Rows are queries, columns keys; grey cells are masked (causal). Each map has its own colour scale, from 0 to its largest weight; an exact 0 is the lightest colour.',
    ],
    maps,
  };
}
