/**
 * The Fashion-MNIST experiment on a small generated IDX dataset (so it runs without the real data), and
 * its graceful skip when the files are absent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from 'softmax';
import { FASHION_FILES, missingFashionFiles, runFashionMnist } from '../src/suites/conformal/fashion-mnist.js';

const SIDE = 28;

/** IDX bytes: 00 00 08 rank, big-endian dims, uint8 body. */
function idx(dims: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([head, Buffer.from(body)]));
}

/** n images: class c lights rows 2c..2c+3 (plus noise), so a linear classifier can separate them. */
function images(seed: number, n: number): { x: Uint8Array; y: Uint8Array } {
  const rng = createRng(seed);
  const x = new Uint8Array(n * SIDE * SIDE);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(10);
    y[i] = c;
    for (let p = 0; p < SIDE * SIDE; p++) {
      const row = Math.floor(p / SIDE);
      const lit = row >= 2 * c + 2 && row < 2 * c + 6;
      x[i * SIDE * SIDE + p] = Math.min(255, Math.floor((lit ? 140 : 20) + rng.next() * 120));
    }
  }
  return { x, y };
}

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
    const train = images(1, 600);
    const test = images(2, 400);
    writeFileSync(join(dir, FASHION_FILES.trainImages), idx([600, SIDE, SIDE], train.x));
    writeFileSync(join(dir, FASHION_FILES.trainLabels), idx([600], train.y));
    writeFileSync(join(dir, FASHION_FILES.testImages), idx([400, SIDE, SIDE], test.x));
    writeFileSync(join(dir, FASHION_FILES.testLabels), idx([400], test.y));
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
