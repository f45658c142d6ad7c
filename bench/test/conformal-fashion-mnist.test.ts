/**
 * The Fashion-MNIST experiment on a small generated IDX dataset (so it runs without the real data), and
 * its graceful skip when the files are absent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FASHION_FILES, missingFashionFiles, runFashionMnist } from '../src/suites/conformal/fashion-mnist.js';
import { markedImages, SIDE, writeFashionDir } from './fashion-fixture.js';

/** n images: class c lights rows 2c+2..2c+5 (plus noise), so a linear classifier can separate them. */
const images = (seed: number, n: number) =>
  markedImages(seed, n, (c, p) => {
    const row = Math.floor(p / SIDE);
    return row >= 2 * c + 2 && row < 2 * c + 6;
  });

const dir = mkdtempSync(join(tmpdir(), 'softmax-fmnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Fashion-MNIST experiment', () => {
  it('skips, saying why, when the dataset is absent', () => {
    const empty = mkdtempSync(join(tmpdir(), 'softmax-fmnist-empty-'));
    try {
      expect(missingFashionFiles(empty)).toHaveLength(4);
      const r = runFashionMnist({ mode: 'quick', dir: empty });
      expect(r.available).toBe(false);
      if (!r.available) expect(r.reason).toContain(FASHION_FILES.trainImages);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('trains with the library and compares the three methods on a generated IDX dataset', () => {
    writeFashionDir(dir, 600, 400, images);
    const r = runFashionMnist({ mode: 'quick', dir });
    expect(r.available).toBe(true);
    if (!r.available) return;
    expect(r.testRows).toBe(400);
    expect(r.testAccuracy).toBeGreaterThan(0.8); // chance is 0.1; the classes are linearly separable
    expect(r.finalLoss).toBeLessThan(Math.log(10));
    // quick: n_avg 20 and 100 (both capped at half the 400 test images), LAC and APS, three methods.
    expect(r.rows).toHaveLength(12);
    for (const row of r.rows) {
      expect(row.seeds).toBe(3);
      expect(row.coverage.mean).toBeGreaterThan(0.75);
      expect(row.avgSize.mean).toBeGreaterThanOrEqual(0.5);
      expect(row.covGap.mean).toBeGreaterThanOrEqual(0);
    }
    expect(r.histograms.map((h) => `${h.score} ${h.method}`)).toEqual(['lac standard', 'lac classwise', 'lac clustered', 'aps standard', 'aps classwise', 'aps clustered']);
    for (const h of r.histograms) {
      expect(h.counts).toHaveLength(11);
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(200); // the held-out half
    }
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
