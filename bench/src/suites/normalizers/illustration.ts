import { createRng, sinkhorn } from 'softmax';
import type { TensorLike } from 'softmax';
import type { IllustratedMapping, NormalizersIllustration, SinkhornExample, TemperatureSweep } from './illustration-types.js';
import { ENTMAX_15, SOFTMAX, SPARSEMAX, libraryMappings, selfAdjustNormalized } from './mappings.js';
import type { NormalizerMapping } from './mappings.js';
import { rowEntropy, rowSparsity, rowSum } from './row-stats.js';

/**
 * The example row: a few large logits, several medium, a long tail and one masked (−∞) entry. Sorted, so
 * a chart of the outputs reads left to right from the most to the least likely entry. On it sparsemax
 * keeps 3 entries (τ = (3.2 + 3.0 + 2.7 − 1)/3 ≈ 2.633) and entmax-1.5 keeps 4.
 */
export const EXAMPLE_ROW: readonly number[] = [3.2, 3.0, 2.7, 1.9, 1.6, 1.4, 1.0, 0.5, 0.0, -0.8, -2.0, -Infinity];
export const SWEEP_TEMPERATURES: readonly number[] = [0.25, 0.5, 1, 2, 4];
export const RANDOM_ROWS = 1000;
export const RANDOM_N = 64;
const RANDOM_SIGMA = 2;
const SEED = 0x5eed;
const SINKHORN_INPUT = [
  [2, 1, 0, -1],
  [1, 3, 0, 0],
  [0, 1, 2, 1],
  [-1, 0, 1, 3],
];
const SINKHORN_ITERATIONS = 20;

/**
 * The mappings of the illustration: those of the benchmark with k = 3 for sparseSoftmax (the rows are
 * short), plus the normalised self-adjusting variant. clippedSoftmax keeps its default T = n of
 * γ = −4/T: 12 on the example row, 64 on the random rows.
 */
export function illustratedMappings(seed = SEED): NormalizerMapping[] {
  const all = libraryMappings(createRng(seed), 3);
  const selfAdjust = all.findIndex((m) => m.name === 'selfAdjustSoftmax');
  all.splice(selfAdjust + 1, 0, selfAdjustNormalized);
  return all;
}

function describe(mapping: NormalizerMapping, example: TensorLike<Float64Array>, random: TensorLike<Float64Array>): IllustratedMapping {
  const n = example.data.length;
  const y = mapping.apply(example);
  const yr = mapping.apply(random);
  let sparsity = 0;
  let entropy = 0;
  let withEntropy = 0;
  let sum = 0;
  for (let r = 0; r < RANDOM_ROWS; r++) {
    const off = r * RANDOM_N;
    sparsity += rowSparsity(yr, random.data, off, RANDOM_N);
    const h = rowEntropy(yr, off, RANDOM_N);
    if (h !== null) {
      entropy += h;
      withEntropy++;
    }
    sum += rowSum(yr, off, RANDOM_N);
  }
  return {
    name: mapping.name,
    call: mapping.call,
    sumsToOne: mapping.sumsToOne,
    output: Array.from(y),
    outputSum: rowSum(y, 0, n),
    sparsity: rowSparsity(y, example.data, 0, n),
    entropy: rowEntropy(y, 0, n),
    random: {
      meanSparsity: sparsity / RANDOM_ROWS,
      meanEntropy: withEntropy === 0 ? null : entropy / withEntropy,
      rowsWithoutEntropy: RANDOM_ROWS - withEntropy,
      meanSum: sum / RANDOM_ROWS,
    },
  };
}

function sweep(mappings: readonly NormalizerMapping[], example: TensorLike<Float64Array>): TemperatureSweep {
  const n = example.data.length;
  const swept = [SOFTMAX, SPARSEMAX, ENTMAX_15].map((name) => mappings.find((m) => m.name === name)!);
  return {
    temperatures: [...SWEEP_TEMPERATURES],
    series: swept.map((m) => {
      const outputs = SWEEP_TEMPERATURES.map((temperature) => m.apply(example, { temperature }));
      return {
        name: m.name,
        entropy: outputs.map((y) => rowEntropy(y, 0, n) ?? Number.NaN),
        sparsity: outputs.map((y) => rowSparsity(y, example.data, 0, n)),
      };
    }),
  };
}

function sinkhornExample(): SinkhornExample {
  const side = SINKHORN_INPUT.length;
  const y = sinkhorn({ data: Float64Array.from(SINKHORN_INPUT.flat()), dims: [side, side] }, { iterations: SINKHORN_ITERATIONS }).data;
  return {
    iterations: SINKHORN_ITERATIONS,
    input: SINKHORN_INPUT.map((row) => [...row]),
    output: SINKHORN_INPUT.map((_, r) => Array.from(y.subarray(r * side, (r + 1) * side))),
  };
}

/** Random rows: N(0, σ²) logits from the library's seeded generator. */
function randomRows(seed: number): Float64Array {
  const rng = createRng(seed);
  const data = new Float64Array(RANDOM_ROWS * RANDOM_N);
  for (let i = 0; i < data.length; i++) data[i] = RANDOM_SIGMA * rng.normal();
  return data;
}

/** Everything the report draws besides timings. Deterministic: fixed rows, seeded generators. */
export function computeIllustration(): NormalizersIllustration {
  const example: TensorLike<Float64Array> = { data: Float64Array.from(EXAMPLE_ROW), dims: [1, EXAMPLE_ROW.length] };
  const random: TensorLike<Float64Array> = { data: randomRows(SEED + 1), dims: [RANDOM_ROWS, RANDOM_N] };
  const mappings = illustratedMappings();
  return {
    kind: 'normalizers',
    exampleLogits: EXAMPLE_ROW.map((v) => (v === -Infinity ? null : v)),
    notes: [
      'Computed in float64 (Float64Array inputs), so a 0 is a structural zero, not float32 underflow.',
      'Sparsity: fraction of exact zeros among the entries whose logit is not −∞ (masked entries are 0 under every mapping).',
      'Entropy: Shannon entropy in nats of y / Σy; for the mappings whose rows do not sum to one (softpick, clippedSoftmax, selfAdjustSoftmax) that is the entropy of the row-normalised output. Undefined (—) when an output is negative.',
      `Options: sparseSoftmax k = 3; clippedSoftmax γ = −4/T with its default T = n (${EXAMPLE_ROW.length} on the example row, ${RANDOM_N} on the random rows); gumbelSoftmax draws from createRng(${SEED}).`,
    ],
    mappings: mappings.map((m) => describe(m, example, random)),
    sweep: sweep(mappings, example),
    randomRows: { rows: RANDOM_ROWS, n: RANDOM_N, distribution: `logits N(0, ${RANDOM_SIGMA}²) from createRng(${SEED + 1}).normal()` },
    sinkhorn: sinkhornExample(),
  };
}
