import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SoftmaxError } from '../tensor/errors.js';
import type { NpyData } from './npy-dtype.js';
import { decodeTensorFile, encodeTensorFile, type TensorFile } from './tensor-file.js';

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
};

/** Turns the common, user-caused file system errors into `E_INPUT` naming the path; rethrows the rest. */
function fsError(error: unknown, action: string, path: string): never {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === undefined ? undefined : FS_REASONS[code];
  if (reason === undefined) throw error;
  throw new SoftmaxError('E_INPUT', `cannot ${action} ${path}: ${reason}`, path);
}

/**
 * Reads a `.npy` or `.csv` file (chosen by extension) as a tensor. Errors are `SoftmaxError`s naming the
 * path: `E_INPUT` for a missing or unreadable file, an unknown extension or malformed contents, `E_DTYPE`
 * for an unsupported NPY element type.
 */
export async function readTensorFile(path: string): Promise<TensorFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return fsError(e, 'read', path);
  }
  return decodeTensorFile(path, bytes);
}

/**
 * Writes a tensor as `.npy` or `.csv` (by extension) so that `path` either keeps its old contents or gets
 * the complete new ones: the bytes are encoded first (encoding errors touch no file), written and flushed
 * to a temporary file in the same directory, then renamed over `path`. On any failure the temporary
 * file is removed.
 */
export async function writeTensorFileAtomic(path: string, tensor: { data: NpyData; dims: readonly number[] }): Promise<void> {
  await writeFileAtomic(path, encodeTensorFile(path, tensor));
}

/**
 * Writes bytes (or UTF-8 text) so that `path` either keeps its old contents or gets the complete new
 * ones: written and flushed to a temporary file in the same directory, then renamed over `path`; on any
 * failure the temporary file is removed.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    if (created) await unlink(temp).catch(() => undefined);
    return fsError(e, 'write', path);
  }
}
