import type { Command } from 'commander';
import { loadBench, runWithProgress } from '../benchmarks.js';
import type { CliIo } from '../io.js';
import { parseList } from '../parse-options.js';
import type { CliCommand } from './command.js';

interface BenchOptions {
  quick?: boolean;
  only?: string[];
  out?: string;
}

export const benchCommand: CliCommand = {
  register(program: Command, io: CliIo): void {
    program
      .command('bench')
      .description('benchmark softmax against onnxruntime, TensorFlow.js and transformers.js; write results JSON')
      .option('--quick', 'small inputs and few rounds (CI, a smoke test)')
      .option('--only <suites>', 'comma-separated suite ids to run (default: all)', parseList)
      .option('--out <dir>', 'directory for <suite>.json results (default: bench/results)')
      .action(async (options: BenchOptions, command: Command) => {
        const bench = await loadBench();
        const results = await runWithProgress(bench, { mode: options.quick ? 'quick' : 'full', only: options.only }, io, command);
        const files = await bench.writeResults(results, options.out);
        io.stdout.write(`\nresults: ${files.join(', ')}\n`);
      });
  },
};
