import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readIdx } from 'softmax/node';

/** Debian's `dataset-fashion-mnist` location; override with FASHION_MNIST_DIR. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The four IDX files of Fashion-MNIST (Xiao, Rasul & Vollgraf 2017), gzipped as distributed. */
export const FASHION_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** The ten clothing classes, by label. */
export const FASHION_CLASSES = 10;

/** The directory to read: FASHION_MNIST_DIR when set, else the Debian location. */
export function fashionMnistDir(): string {
  return process.env.FASHION_MNIST_DIR ?? DEFAULT_FASHION_MNIST_DIR;
}

/** Which of the four files are missing from `dir` (empty: all there). */
export function missingFashionFiles(dir: string): string[] {
  return Object.values(FASHION_FILES).filter((f) => !existsSync(join(dir, f)));
}

/** Images and labels of one split: `x` row-major `[rows, features]` pixels / 255, `y` labels; `imageDims` e.g. [28, 28]. */
export interface ImageSplit {
  x: Float32Array;
  y: Int32Array;
  rows: number;
  features: number;
  imageDims: number[];
}

/**
 * Reads one split (an images file and a labels file, IDX, gzipped or not) from `dir`: the first
 * `maxRows` images as float32 pixels / 255, one row per image, and their labels as int32. Throws
 * when the files are not uint8 images `[n, ...]` with n labels. O(file size).
 */
export function loadImageSplit(dir: string, images: string, labels: string, maxRows = Infinity): ImageSplit {
  const img = readIdx(join(dir, images));
  const lab = readIdx(join(dir, labels));
  if (img.type !== 'uint8' || img.dims.length < 2 || lab.dims.length !== 1 || lab.dims[0] !== img.dims[0]) {
    throw new Error(`${images}/${labels}: expected uint8 images [n, ...] and n labels, got ${img.type} [${img.dims.join(', ')}] and [${lab.dims.join(', ')}]`);
  }
  const imageDims = img.dims.slice(1);
  const features = imageDims.reduce((a: number, b: number) => a * b, 1);
  const rows = Math.min(maxRows, img.dims[0]);
  const x = new Float32Array(rows * features);
  for (let i = 0; i < x.length; i++) x[i] = img.data[i] / 255;
  return { x, y: Int32Array.from(lab.data.subarray(0, rows)), rows, features, imageDims };
}

/** The training split of Fashion-MNIST in `dir` (first `maxRows` images). */
export function loadFashionTrain(dir: string, maxRows = Infinity): ImageSplit {
  return loadImageSplit(dir, FASHION_FILES.trainImages, FASHION_FILES.trainLabels, maxRows);
}

/** The test split of Fashion-MNIST in `dir` (first `maxRows` images). */
export function loadFashionTest(dir: string, maxRows = Infinity): ImageSplit {
  return loadImageSplit(dir, FASHION_FILES.testImages, FASHION_FILES.testLabels, maxRows);
}
