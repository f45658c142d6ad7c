/** Shared fixtures of the decision-command tests: a calibrated synthetic classifier and a temporary directory. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createRng, softmax } from 'softmax';
import { encodeNpy } from 'softmax/node';

/** Logits 2·N(0,1), their softmax, and labels drawn from it (a calibrated classifier). */
export function calibratedSynthetic(rows: number, classes: number, seed: number): { logits: Float64Array; probs: Float64Array; labels: Int32Array } {
  const rng = createRng(seed);
  const logits = Float64Array.from({ length: rows * classes }, () => rng.normal() * 2);
  const probs = softmax({ data: logits, dims: [rows, classes] }).data;
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let u = rng.next();
    let c = 0;
    while (c < classes - 1 && (u -= probs[r * classes + c]) > 0) c++;
    labels[r] = c;
  }
  return { logits, probs, labels };
}

/** A fresh temporary directory per test (removed after it), and a helper writing .npy files into it. */
export function useTempDir(prefix: string): { dir(): string; npy(name: string, data: Float64Array | Int32Array, dims: number[]): Promise<string> } {
  let current = '';
  beforeEach(async () => {
    current = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(current, { recursive: true, force: true });
  });
  return {
    dir: () => current,
    async npy(name, data, dims) {
      const path = join(current, name);
      await writeFile(path, encodeNpy({ data, dims }));
      return path;
    },
  };
}
