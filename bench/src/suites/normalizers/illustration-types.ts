/**
 * Untimed, deterministic data of the normalizers suite for its report section: what each mapping does
 * to one example row, a temperature sweep and sparsity/entropy statistics. JSON-safe: no −∞ or NaN
 * (JSON has neither); a masked logit is `null`, an undefined entropy is `null`.
 */
export interface NormalizersIllustration {
  kind: 'normalizers';
  /** The example row's logits, largest first; `null` marks the masked (−∞) entry. */
  exampleLogits: (number | null)[];
  /** How the outputs were computed (float type, entropy units, what sparsity counts). */
  notes: string[];
  mappings: IllustratedMapping[];
  sweep: TemperatureSweep;
  randomRows: { rows: number; n: number; distribution: string };
  /** A small Sinkhorn example (square matrices only, so not part of the row-length benchmark). */
  sinkhorn?: SinkhornExample;
}

export interface IllustratedMapping {
  name: string;
  call: string;
  /** Rows sum to one; when false, entropies are of the row-normalised output y / Σy. */
  sumsToOne: boolean;
  /** Output on the example row. */
  output: number[];
  outputSum: number;
  /** Fraction of the unmasked entries of the example row that are exactly 0. */
  sparsity: number;
  /** Shannon entropy (nats) of the example output, row-normalised; null when the output has negative entries. */
  entropy: number | null;
  /**
   * Means over the random rows. `meanEntropy` is over the rows whose entropy is defined (non-negative
   * output with a positive sum); `rowsWithoutEntropy` counts the others; null when there are none.
   */
  random: { meanSparsity: number; meanEntropy: number | null; rowsWithoutEntropy: number; meanSum: number };
}

export interface TemperatureSweep {
  temperatures: number[];
  /** Per mapping: entropy (nats) and sparsity of the example row's output at each temperature. */
  series: { name: string; entropy: number[]; sparsity: number[] }[];
}

export interface SinkhornExample {
  iterations: number;
  input: number[][];
  output: number[][];
}
