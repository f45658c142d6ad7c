import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SoftmaxError } from '../../src/tensor/errors.js';
import { encodeNpy, formatOfPath, readTensorFile, writeTensorFileAtomic } from '../../src/node/index.js';
import { errorOf } from './error-of.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softmax-files-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<SoftmaxError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(SoftmaxError);
    return e as SoftmaxError;
  }
  throw new Error('expected a SoftmaxError');
}

describe('formatOfPath', () => {
  it('chooses by extension, case-insensitively', () => {
    expect(formatOfPath('a/b.npy')).toBe('npy');
    expect(formatOfPath('B.NPY')).toBe('npy');
    expect(formatOfPath('x.Csv')).toBe('csv');
  });

  it('rejects other extensions with E_INPUT naming the path', () => {
    const err = errorOf(() => formatOfPath('data.json'));
    expect(err.code).toBe('E_INPUT');
    expect(err.message).toBe("data.json: unsupported file type '.json' (expected .npy or .csv)");
  });
});

describe('readTensorFile / writeTensorFileAtomic', () => {
  it('round-trips .npy float32 and float64 files', async () => {
    for (const data of [Float32Array.of(1.5, -2, 0.1), Float64Array.of(1.5, -2, 0.1)]) {
      const path = join(dir, 'x.npy');
      await writeTensorFileAtomic(path, { data, dims: [3, 1] });
      const back = await readTensorFile(path);
      expect(back.data).toEqual(data);
      expect(back.dims).toEqual([3, 1]);
    }
  });

  it('round-trips .csv as float64 and reports a header', async () => {
    const path = join(dir, 'x.csv');
    await writeTensorFileAtomic(path, { data: Float64Array.of(1, 2, 3, 4), dims: [2, 2] });
    expect(await readFile(path, 'utf8')).toBe('1,2\n3,4\n');
    const back = await readTensorFile(path);
    expect(back).toEqual({ data: Float64Array.of(1, 2, 3, 4), dims: [2, 2], dtype: 'float64' });
    await writeFile(path, 'a,b\n1,2\n');
    expect((await readTensorFile(path)).header).toEqual(['a', 'b']);
  });

  it('replaces an existing file and leaves no temporary files behind', async () => {
    const path = join(dir, 'out.npy');
    await writeFile(path, 'old contents');
    await writeTensorFileAtomic(path, { data: Float64Array.of(4), dims: [] });
    expect(await readdir(dir)).toEqual(['out.npy']);
    expect(new Uint8Array(await readFile(path))).toEqual(encodeNpy({ data: Float64Array.of(4), dims: [] }));
  });

  it('touches no file when encoding fails (rank 3 to CSV)', async () => {
    const path = join(dir, 'out.csv');
    const err = await rejection(writeTensorFileAtomic(path, { data: new Float64Array(8), dims: [2, 2, 2] }));
    expect(err.code).toBe('E_SHAPE');
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the old file and removes the temporary file when the rename fails', async () => {
    // The target is a non-empty directory, so rename(temp, target) fails after the temp file was written.
    const target = join(dir, 'taken.npy');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'x');
    const err = await rejection(writeTensorFileAtomic(target, { data: Float32Array.of(1), dims: [1] }));
    expect(err.code).toBe('E_INPUT');
    expect(err.message).toMatch(/^cannot write .*taken\.npy: /);
    expect(await readdir(dir)).toEqual(['taken.npy']);
    expect(await readdir(target)).toEqual(['keep']);
  });

  it('reports a missing output directory as E_INPUT', async () => {
    const path = join(dir, 'no', 'such', 'out.npy');
    const err = await rejection(writeTensorFileAtomic(path, { data: Float32Array.of(1), dims: [1] }));
    expect(err.code).toBe('E_INPUT');
    expect(err.message).toBe(`cannot write ${path}: no such file or directory`);
  });

  it('reports missing files, directories and unknown extensions as E_INPUT naming the path', async () => {
    const missing = join(dir, 'missing.npy');
    const a = await rejection(readTensorFile(missing));
    expect(a.code).toBe('E_INPUT');
    expect(a.message).toBe(`cannot read ${missing}: no such file or directory`);
    await mkdir(join(dir, 'd.csv'));
    expect((await rejection(readTensorFile(join(dir, 'd.csv')))).message).toBe(`cannot read ${join(dir, 'd.csv')}: is a directory`);
    await writeFile(join(dir, 'x.txt'), '1,2');
    expect((await rejection(readTensorFile(join(dir, 'x.txt')))).message).toContain("unsupported file type '.txt'");
  });

  it('names the file in content errors', async () => {
    const path = join(dir, 'bad.npy');
    await writeFile(path, 'PK\x03\x04 this is a zip');
    const err = await rejection(readTensorFile(path));
    expect(err.code).toBe('E_INPUT');
    expect(err.message).toBe(`${path}: not an NPY file (it does not start with the magic string \\x93NUMPY)`);
  });
});
