import type { Command } from 'commander';
import type { BenchMode, SuiteResult } from '@softmax/bench';
import type { CliIo } from './io.js';
import { ProgressDisplay } from './progress.js';

export interface BenchRunOptions {
  mode: BenchMode;
  only?: string[];
}

/** The bench package, loaded only by the commands that need it (it pulls in onnxruntime, TensorFlow.js, …). */
export type BenchModule = typeof import('@softmax/bench');

export function loadBench(): Promise<BenchModule> {
  return import('@softmax/bench');
}

/**
 * Runs the selected suites with a progress display on stderr, then prints the summary table on stdout.
 * Unknown suite ids are a usage error of `command` (exit code 2), reported before anything runs.
 */
export async function runWithProgress(bench: BenchModule, options: BenchRunOptions, io: CliIo, command: Command): Promise<SuiteResult[]> {
  const known = bench.suites.map((s) => s.id);
  const unknown = (options.only ?? []).filter((id) => !known.includes(id));
  if (unknown.length > 0) command.error(`unknown suite ${unknown.join(', ')} (known: ${known.join(', ')})`, { exitCode: 2, code: 'softmax.unknownSuite' });
  const progress = new ProgressDisplay(io.stderr, { now: io.now });
  let results: SuiteResult[];
  try {
    results = await bench.runBenchmarks({ mode: options.mode, only: options.only, onProgress: (event) => progress.update(event) });
  } finally {
    progress.finish();
  }
  io.stdout.write(bench.summaryTable(results));
  return results;
}
