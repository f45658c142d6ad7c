import type { Command } from 'commander';
import { loadBench, runWithProgress } from '../benchmarks.js';
import type { CliIo } from '../io.js';
import { parseList } from '../parse-options.js';
import type { CliCommand } from './command.js';

interface ReportOptions {
  quick?: boolean;
  only?: string[];
  out: string;
}

export const reportCommand: CliCommand = {
  register(program: Command, io: CliIo): void {
    program
      .command('report')
      .description('run the benchmarks at the report budget and write an HTML report (npm start)')
      .option('--quick', 'small inputs and few rounds (a smoke test of the report)')
      .option('--only <suites>', 'comma-separated suite ids to run (default: all)', parseList)
      .option('--out <dir>', 'directory for index.html', 'report')
      .action(async (options: ReportOptions, command: Command) => {
        const bench = await loadBench();
        const results = await runWithProgress(bench, { mode: options.quick ? 'quick' : 'report', only: options.only }, io, command);
        const file = await bench.writeReport(results, options.out);
        io.stdout.write(`\nreport: ${file}\n`);
      });
  },
};
