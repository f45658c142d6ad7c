import {
  adaptiveTemperatureSoftmax,
  clippedSoftmax,
  entmax,
  gumbelSoftmax,
  normalizers,
  scalableSoftmax,
  selfAdjustSoftmax,
  softmax,
  softpick,
  sparseSoftmax,
  sparsemax,
  stableMax,
} from 'softmax';
import type { FloatArray, RngLike, TensorLike } from 'softmax';

/** Options every mapping of the illustration is called with besides its own (the temperature sweep). */
export interface ApplyOptions {
  temperature?: number;
}

/** One mapping of the library as the suite calls it: a fixed set of options, one [rows, n] tensor. */
export interface NormalizerMapping {
  name: string;
  /** The call, for the report (e.g. "entmax(x, { alpha: 1.5 })"). */
  call: string;
  /** Rows sum to one (the library registry's flag); the entropy of the others is of y / Σy. */
  sumsToOne: boolean;
  apply(x: TensorLike, opts?: ApplyOptions): FloatArray;
}

export const SOFTMAX = 'softmax';
export const SPARSEMAX = 'sparsemax';
export const ENTMAX_15 = 'entmax α=1.5';
export const ENTMAX_13 = 'entmax α=1.3';
export const SORT_SPARSEMAX = 'sort-based sparsemax (plain JS)';

const sums = (registryName: string): boolean => normalizers[registryName]?.sumsToOne ?? false;

/**
 * The library's mappings with the suite's options, baseline first. `rng` drives gumbelSoftmax (created
 * once by the caller, outside timing); `sparseK` is sparseSoftmax's k. Everything else is at its
 * default: clippedSoftmax's γ = −4/T with T = the row length n, scalableSoftmax's s = 1.
 */
export function libraryMappings(rng: RngLike, sparseK: number): NormalizerMapping[] {
  return [
    { name: SOFTMAX, call: 'softmax(x)', sumsToOne: sums('softmax'), apply: (x, o) => softmax(x, o).data },
    { name: SPARSEMAX, call: 'sparsemax(x)', sumsToOne: sums('sparsemax'), apply: (x, o) => sparsemax(x, o).data },
    {
      name: ENTMAX_15,
      call: 'entmax(x, { alpha: 1.5 }): exact threshold (Newton steps to the sort-based closed form)',
      sumsToOne: sums('entmax'),
      apply: (x, o) => entmax(x, { ...o, alpha: 1.5 }).data,
    },
    {
      name: ENTMAX_13,
      call: 'entmax(x, { alpha: 1.3 }): iterative threshold (Newton safeguarded by bisection)',
      sumsToOne: sums('entmax'),
      apply: (x, o) => entmax(x, { ...o, alpha: 1.3 }).data,
    },
    {
      name: `sparseSoftmax k=${sparseK}`,
      call: `sparseSoftmax(x, { k: ${sparseK} })`,
      sumsToOne: sums('sparseSoftmax'),
      apply: (x, o) => sparseSoftmax(x, { ...o, k: sparseK }).data,
    },
    { name: 'softpick', call: 'softpick(x)', sumsToOne: sums('softpick'), apply: (x, o) => softpick(x, o).data },
    {
      name: 'clippedSoftmax',
      call: 'clippedSoftmax(x) (ζ = 1, γ = −4/n)',
      sumsToOne: sums('clippedSoftmax'),
      apply: (x, o) => clippedSoftmax(x, o).data,
    },
    { name: 'scalableSoftmax', call: 'scalableSoftmax(x) (s = 1)', sumsToOne: sums('scalableSoftmax'), apply: (x, o) => scalableSoftmax(x, o).data },
    { name: 'stableMax', call: 'stableMax(x)', sumsToOne: sums('stableMax'), apply: (x, o) => stableMax(x, o).data },
    { name: 'selfAdjustSoftmax', call: 'selfAdjustSoftmax(x) (y = x ⊙ softmax(x))', sumsToOne: sums('selfAdjustSoftmax'), apply: (x, o) => selfAdjustSoftmax(x, o).data },
    {
      name: 'gumbelSoftmax',
      call: 'gumbelSoftmax(x, { rng }) (rng = createRng(seed), created once)',
      sumsToOne: sums('gumbelSoftmax'),
      apply: (x, o) => gumbelSoftmax(x, { ...o, rng }).data,
    },
    {
      name: 'adaptiveTemperatureSoftmax',
      call: 'adaptiveTemperatureSoftmax(x) (polynomial rule)',
      sumsToOne: sums('adaptiveTemperatureSoftmax'),
      apply: (x, o) => adaptiveTemperatureSoftmax(x, o).data,
    },
  ];
}

/** The normalised self-adjusting variant (factor in [0, 1], so its output is non-negative): illustration only. */
export const selfAdjustNormalized: NormalizerMapping = {
  name: 'selfAdjustSoftmax (normalized)',
  call: 'selfAdjustSoftmax(x, { normalized: true })',
  sumsToOne: false,
  apply: (x, o) => selfAdjustSoftmax(x, { ...o, normalized: true }).data,
};
