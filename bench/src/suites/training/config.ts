/** The architecture shared by our `TransformerLM` and the TensorFlow.js re-implementation. */
export interface LanguageModelConfig {
  vocab: number;
  dModel: number;
  heads: number;
  layers: number;
  /** Longest sequence (learned positions). */
  maxLength: number;
}

/** Pre-norm LayerNorm blocks, MLP 4× with biases, bias-free attention and read-out: our TransformerLM's defaults. */
export function parameterCountOf(config: LanguageModelConfig): number {
  const { vocab, dModel: d, layers, maxLength } = config;
  const block = 2 * 2 * d + 4 * d * d + (4 * d * d + 4 * d) + (4 * d * d + d);
  return vocab * d + maxLength * d + layers * block + 2 * d + d * vocab;
}
