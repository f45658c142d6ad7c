/**
 * Untimed, deterministic data of the attention suite for its report section: the attention weights of
 * one head on one short example under several normalisers. JSON-safe (plain numbers only).
 */
export interface AttentionIllustration {
  kind: 'attention';
  /** The example's tokens, one per position (query rows and key columns of every map). */
  tokens: string[];
  headDim: number;
  causal: boolean;
  /** How the example was made, for the caption. */
  notes: string[];
  maps: IllustratedAttentionMap[];
}

export interface IllustratedAttentionMap {
  name: string;
  /** The library call that produced the weights. */
  call: string;
  /** What the picture shows and how to read it. */
  caption: string;
  /** [query][key] weights as drawn (for gated attention: weights times the row's gate). */
  weights: number[][];
  /** Fraction of the kept (unmasked) entries that are exactly 0. */
  zeroFraction: number;
  /** Smallest and largest row sum. */
  rowSum: [number, number];
}
