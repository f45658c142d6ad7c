/**
 * The quaternion suite's Fashion-MNIST patch-sequence task on a small generated IDX dataset (so it runs
 * without the real data), its graceful skip, the patch cutter, and the "quality maintained" check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autograd, createRng, ready, Variable } from 'softmax';
import { FASHION_FILES, loadFashionTest, loadFashionTrain } from '../src/datasets/fashion-mnist.js';
import { markedImages, SIDE, writeFashionDir } from './fashion-fixture.js';
import { qualityClaims, qualityMaintained } from '../src/suites/quaternion/claim.js';
import { fashionPlanFor, runFashionQuality, trainPatchClassifier } from '../src/suites/quaternion/fashion.js';
import type { QualityRow } from '../src/suites/quaternion/illustration-types.js';
import { QuaternionPatchClassifier, toPatches } from '../src/suites/quaternion/patch-classifier.js';

/** n images: class c brightens pixels 4c…4c+3 (row-major) of every 7×7 patch over noise: a direction every token shares. */
const images = (seed: number, n: number) =>
  markedImages(seed, n, (c, p) => Math.floor(((Math.floor(p / SIDE) % 7) * 7 + ((p % SIDE) % 7)) / 4) === c, { lit: 150, dark: 20, noise: 100 });

const dir = mkdtempSync(join(tmpdir(), 'softmax-quaternion-fmnist-'));
const empty = mkdtempSync(join(tmpdir(), 'softmax-quaternion-empty-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});
beforeAll(async () => {
  await ready();
  writeFashionDir(dir, 400, 200, images);
});

describe('toPatches', () => {
  it('cuts 28×28 images into 16 raster-ordered 7×7 patches', () => {
    const rows = 2;
    const img = Float32Array.from({ length: rows * SIDE * SIDE }, (_, i) => i);
    const out = toPatches(img, rows, SIDE, 7);
    expect(out.length).toBe(img.length);
    for (const [r, patch, y, x] of [[0, 0, 0, 0], [0, 1, 0, 0], [0, 5, 3, 6], [1, 15, 6, 6], [1, 4, 2, 1]]) {
      const pixel = r * SIDE * SIDE + (Math.floor(patch / 4) * 7 + y) * SIDE + (patch % 4) * 7 + x;
      expect(out[r * 16 * 49 + patch * 49 + y * 7 + x]).toBe(pixel);
    }
    expect([...out].sort((a, b) => a - b)).toEqual([...img]); // a permutation
    expect(() => toPatches(img, rows, SIDE, 5)).toThrow(/multiple/);
  });
});

describe('QuaternionPatchClassifier', () => {
  it('maps [batch, 16, 49] to [batch, 10] logits and back-propagates into every parameter', () => {
    for (const variant of ['shared', 'componentwise'] as const) {
      const model = new QuaternionPatchClassifier({ patchSize: 49, patches: 16, classes: 10, dModel: 16, heads: 2, layers: 1, mlpHidden: 16, variant, seed: 3 });
      const rng = createRng(4);
      const x = new Variable(Float32Array.from({ length: 3 * 16 * 49 }, () => rng.next()), [3, 16, 49]);
      const logits = model.forward(x);
      expect(logits.dims).toEqual([3, 10]);
      autograd.crossEntropy(logits, Int32Array.of(1, 2, 3)).backward();
      for (const [name, p] of model.namedParameters()) {
        expect(p.grad, name).not.toBeNull();
        expect(p.grad!.some((g) => g !== 0), name).toBe(true);
      }
    }
  });
});

describe('Fashion-MNIST patch-sequence quality', () => {
  it('skips, saying why, when the dataset is absent', () => {
    const r = runFashionQuality('quick', ['shared'], () => {}, empty);
    expect(r.available).toBe(false);
    if (!r.available) expect(r.reason).toContain(FASHION_FILES.trainImages);
  });

  it('trains both variants for the seeds of the plan and reports test accuracy and ms / step', () => {
    const r = runFashionQuality('quick', ['componentwise', 'shared'], () => {}, dir);
    expect(r.available).toBe(true);
    if (!r.available) return;
    expect(r.rows.map((row) => row.variant)).toEqual(['componentwise', 'shared']);
    for (const row of r.rows) {
      expect(row.seeds).toBe(fashionPlanFor('quick').seeds);
      expect(row.evalAccuracy.mean).toBeGreaterThanOrEqual(0);
      expect(row.evalAccuracy.mean).toBeLessThanOrEqual(1);
      expect(row.msPerStep.mean).toBeGreaterThan(0);
      expect(Number.isFinite(row.evalLoss.mean)).toBe(true);
    }
    expect(r.description).toContain('16 patches of 7×7');
  });

  it('learns a class written into every patch well above chance (10 %) in 60 steps', () => {
    const patched = (s: { x: Float32Array; y: Int32Array; rows: number }): { x: Float32Array; y: Int32Array; rows: number } => ({ x: toPatches(s.x, s.rows, SIDE, 7), y: s.y, rows: s.rows });
    const plan = { ...fashionPlanFor('report'), steps: 60, batchSize: 16 };
    const r = trainPatchClassifier(patched(loadFashionTrain(dir)), patched(loadFashionTest(dir)), 'shared', 0, plan);
    expect(r.accuracy).toBeGreaterThan(0.5);
  });
});

describe('quality claim check', () => {
  const row = (task: string, variant: 'shared' | 'componentwise', mean: number, std: number): QualityRow => ({
    task, variant, seeds: 3, steps: 1, evalLoss: { mean: 0, std: 0 }, evalAccuracy: { mean, std }, msPerStep: { mean: 1, std: 0 },
  });

  it('compares |Δ| with 2 pooled standard deviations, per task', () => {
    const claims = qualityClaims([
      row('a', 'componentwise', 0.8, 0.03), row('a', 'shared', 0.76, 0.04), // s_p = √((0.0016+0.0009)/2) ≈ 0.0354: |Δ| 0.04 ≤ 0.0707
      row('b', 'componentwise', 0.8, 0.01), row('b', 'shared', 0.7, 0.01), // |Δ| 0.1 > 0.02
      row('c', 'componentwise', 1, 0), row('c', 'shared', 1, 0), // equal at ceiling
      row('d', 'shared', 0.5, 0.1), // one variant only: no claim
    ]);
    expect(claims.map((c) => [c.task, c.verdict])).toEqual([['a', 'within noise'], ['b', 'shared worse'], ['c', 'within noise']]);
    expect(claims[0].difference).toBeCloseTo(-0.04, 12);
    expect(claims[0].pooledStd).toBeCloseTo(Math.sqrt(0.00125), 12);
    expect(qualityMaintained(claims)).toBe(false);
    expect(qualityMaintained(claims.filter((c) => c.task !== 'b'))).toBe(true);
    expect(qualityClaims([row('e', 'componentwise', 0.5, 0.01), row('e', 'shared', 0.6, 0.01)])[0].verdict).toBe('shared better');
    expect(qualityMaintained([])).toBe(false);
  });
});
