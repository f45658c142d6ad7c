import { Option, type Command } from 'commander';
import { expectedCalibrationError, fitTemperature, softmax, SoftmaxError } from 'softmax';
import { writeFileAtomic } from 'softmax/node';
import { readLabels, readProbabilities } from '../decision-inputs.js';
import type { CliIo } from '../io.js';
import { parseInteger } from '../parse-options.js';
import type { CliCommand } from './command.js';

export interface CalibrateCliOptions {
  logits: string;
  labels: string;
  bins: number;
  strategy: 'width' | 'mass';
  output?: string;
}

/**
 * Fits a softmax temperature to (logits, labels) by minimising the NLL, and reports the expected
 * calibration error before and after. Writes JSON (atomically) or prints a summary.
 */
export async function runCalibrate(o: CalibrateCliOptions, io: CliIo): Promise<void> {
  if (o.output !== undefined && !o.output.endsWith('.json')) {
    throw new SoftmaxError('E_PARAM', `--output: expected a .json path, got ${o.output}`, 'output');
  }
  const z = await readProbabilities(o.logits, 'logits', false);
  const labels = await readLabels(o.labels, 'labels');
  const fit = fitTemperature(z, labels);
  const ece = { bins: o.bins, strategy: o.strategy };
  const before = expectedCalibrationError(softmax(z), labels, ece);
  const after = expectedCalibrationError(softmax(z, { temperature: fit.temperature }), labels, ece);
  const result = { ...fit, eceBefore: before.ece, eceAfter: after.ece, binsBefore: before.bins, binsAfter: after.bins };
  io.stderr.write(
    `softmax: temperature ${fit.temperature.toPrecision(6)}; NLL ${fit.nllBefore.toFixed(4)} → ${fit.nllAfter.toFixed(4)}; ` +
      `ECE ${before.ece.toFixed(4)} → ${after.ece.toFixed(4)} (${o.bins} ${o.strategy} bins)\n`,
  );
  const text = `${JSON.stringify(result)}\n`;
  if (o.output !== undefined) await writeFileAtomic(o.output, text);
  else io.stdout.write(text);
}

export const calibrateCommand: CliCommand = {
  register(program: Command, io: CliIo): void {
    program
      .command('calibrate')
      .description('fit a softmax temperature (minimum NLL) and report the expected calibration error')
      .requiredOption('--logits <file>', 'logits [n, classes] (.npy or .csv)')
      .requiredOption('--labels <file>', 'labels, one integer per row')
      .option('--bins <n>', 'calibration bins (default 15)', parseInteger, 15)
      .addOption(new Option('--strategy <s>', 'equal-width or equal-mass bins').choices(['width', 'mass']).default('width'))
      .option('-o, --output <file.json>', 'write the result here (default: stdout)')
      .action((options: CalibrateCliOptions) => runCalibrate(options, io));
  },
};
