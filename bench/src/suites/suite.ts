import { machineInfo } from '../harness/machine.js';
import type { BenchMode, MeasureBudget } from '../harness/budget.js';
import type { ProgressCallback } from '../harness/progress.js';
import type { SuiteResult } from '../results/result-types.js';

export interface SuiteRunOptions {
  mode: BenchMode;
  /** Measurement budget per case (a suite may scale it). */
  budget: MeasureBudget;
  onProgress?: ProgressCallback;
}

/** A benchmark suite. Suites are listed in `registry.ts`; the harness and the report know nothing else about them. */
export interface Suite {
  id: string;
  title: string;
  /** One sentence on what is compared, for the report. */
  description: string;
  run(options: SuiteRunOptions): Promise<SuiteResult>;
}

/** The fields every suite result starts with: which suite, the mode, the machine and the run's timing. */
export function resultHeader(suite: Suite, mode: BenchMode, startedAt: Date): Pick<SuiteResult, 'suite' | 'title' | 'mode' | 'machine' | 'startedAt' | 'durationMs'> {
  return {
    suite: suite.id,
    title: suite.title,
    mode,
    machine: machineInfo(startedAt),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}
