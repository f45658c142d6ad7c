/**
 * A seeded generator (splitmix32) so every run benchmarks the same inputs; Math.random cannot be seeded.
 * Returns uniform floats in [0, 1).
 */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}

/** Fills `out` with uniform logits in [-scale, scale), the range typical of classifier / LM outputs. */
export function fillUniform<T extends Float32Array | Float64Array>(out: T, seed: number, scale = 8): T {
  const next = splitmix32(seed);
  for (let i = 0; i < out.length; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
}

/** Uniform labels in [0, classes). */
export function randomLabels(rows: number, classes: number, seed: number): Int32Array {
  const next = splitmix32(seed);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) labels[i] = Math.floor(next() * classes);
  return labels;
}
