import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteResult } from './result-types.js';

/** bench/results, from both src/results (tests) and dist/results (built). */
export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

/** Writes `<dir>/<suite>.json` for each result (via a temporary file, so a reader never sees half a file). */
export async function writeResults(results: readonly SuiteResult[], dir: string = DEFAULT_RESULTS_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const result of results) {
    const file = path.join(dir, `${result.suite}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(result, null, 2) + '\n');
    await rename(tmp, file);
    written.push(file);
  }
  return written;
}

/** Reads every `<suite>.json` in `dir` (e.g. to render the report from the last run), in run order. */
export async function readResults(dir: string = DEFAULT_RESULTS_DIR): Promise<SuiteResult[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const results = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as SuiteResult));
  // Suites run in registry order, so start times restore it.
  return results.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
