/**
 * A small generated Fashion-MNIST directory for tests (the real dataset is optional): gzipped IDX files
 * with the Debian package's names, images whose class is marked by a pattern the caller chooses.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRng } from 'softmax';
import { FASHION_FILES } from '../src/datasets/fashion-mnist.js';

export const SIDE = 28;

/** IDX bytes: 00 00 08 rank, big-endian dims, uint8 body; gzipped as Debian ships them. */
export function idxBytes(dims: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([head, Buffer.from(body)]));
}

/**
 * n 28×28 images with random classes: pixel p of an image of class c is `lit + noise·U` when
 * `marked(c, p)`, else `dark + noise·U` (clamped to 255).
 */
export function markedImages(seed: number, n: number, marked: (c: number, p: number) => boolean, levels = { lit: 140, dark: 20, noise: 120 }): { x: Uint8Array; y: Uint8Array } {
  const rng = createRng(seed);
  const x = new Uint8Array(n * SIDE * SIDE);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(10);
    y[i] = c;
    for (let p = 0; p < SIDE * SIDE; p++) {
      x[i * SIDE * SIDE + p] = Math.min(255, Math.floor((marked(c, p) ? levels.lit : levels.dark) + rng.next() * levels.noise));
    }
  }
  return { x, y };
}

/** Writes the four files into `dir`: `trainRows` + `testRows` images drawn by `draw(seed, n)`. */
export function writeFashionDir(dir: string, trainRows: number, testRows: number, draw: (seed: number, n: number) => { x: Uint8Array; y: Uint8Array }): void {
  const train = draw(1, trainRows);
  const test = draw(2, testRows);
  writeFileSync(join(dir, FASHION_FILES.trainImages), idxBytes([trainRows, SIDE, SIDE], train.x));
  writeFileSync(join(dir, FASHION_FILES.trainLabels), idxBytes([trainRows], train.y));
  writeFileSync(join(dir, FASHION_FILES.testImages), idxBytes([testRows, SIDE, SIDE], test.x));
  writeFileSync(join(dir, FASHION_FILES.testLabels), idxBytes([testRows], test.y));
}
