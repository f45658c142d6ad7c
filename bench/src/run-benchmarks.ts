import { ready } from 'softmax';
import { budgetFor } from './harness/budget.js';
import type { BenchMode, MeasureBudget } from './harness/budget.js';
import type { ProgressCallback } from './harness/progress.js';
import type { SuiteResult } from './results/result-types.js';
import { findSuites } from './suites/registry.js';

export interface RunBenchmarksOptions {
  /** Shorthand for `mode: 'quick'` (CI, tests). */
  quick?: boolean;
  /** 'full' (default, `npm run bench`), 'report' (modest budget, `npm start`) or 'quick'. */
  mode?: BenchMode;
  /** Suite ids to run (default: all, in registry order). */
  only?: readonly string[];
  onProgress?: ProgressCallback;
  /** Overrides of the mode's measurement budget, e.g. `{ budgetMs: 2000 }`. */
  budget?: Partial<MeasureBudget>;
}

/** Runs the selected suites one after another in this process and returns their results. */
export async function runBenchmarks(options: RunBenchmarksOptions = {}): Promise<SuiteResult[]> {
  const mode: BenchMode = options.quick === true ? 'quick' : options.mode ?? 'full';
  const budget = budgetFor(mode, options.budget);
  const selected = findSuites(options.only);
  // Our WebAssembly SIMD kernels must be compiled before anything is timed.
  await ready();
  const results: SuiteResult[] = [];
  for (const [i, suite] of selected.entries()) {
    options.onProgress?.({ phase: 'suite', done: i, total: selected.length, label: suite.title });
    results.push(await suite.run({ mode, budget, onProgress: options.onProgress }));
  }
  options.onProgress?.({ phase: 'suite', done: selected.length, total: selected.length, label: 'done' });
  return results;
}
