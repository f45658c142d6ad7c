import { Option, type Command } from 'commander';
import {
  classwiseConformal,
  clusteredConformal,
  coverageMetrics,
  createRng,
  splitConformal,
  SoftmaxError,
  type ConformalMethod,
  type ConformalScore,
} from 'softmax';
import { writeFileAtomic } from 'softmax/node';
import { readLabels, readProbabilities, withLogitsHint } from '../decision-inputs.js';
import type { CliIo } from '../io.js';
import { parseInteger, parseNumber } from '../parse-options.js';
import type { CliCommand } from './command.js';

export interface ConformalCliOptions {
  calib: string;
  calibLabels: string;
  test: string;
  testLabels?: string;
  alpha: number;
  method: ConformalMethod;
  score: ConformalScore;
  randomized?: boolean;
  /** Randomised conformal quantile: coverage exactly 1 − α in expectation (predict draws from the seeded rng). */
  exactCoverage?: boolean;
  logits?: boolean;
  seed: number;
  output?: string;
}

const CALIBRATE = { split: splitConformal, classwise: classwiseConformal, clustered: clusteredConformal } as const;

/**
 * Calibrates a conformal predictor on (calib, calibLabels), predicts sets for `test`, and writes
 * `{ predictor, sets, metrics? }` as JSON (atomically) or prints it. All inputs are read and checked
 * before anything is written. Calibration draws from `createRng(seed)`, prediction from
 * `createRng(seed + 1)` (randomized scores, and the randomised quantile of `--exact-coverage`), so a run
 * is reproducible from `--seed`.
 */
export async function runConformal(o: ConformalCliOptions, io: CliIo): Promise<void> {
  if (o.output !== undefined && !o.output.endsWith('.json')) {
    throw new SoftmaxError('E_PARAM', `--output: expected a .json path, got ${o.output}`, 'output');
  }
  const logits = o.logits === true;
  const calib = await readProbabilities(o.calib, 'calib', logits);
  const calibLabels = await readLabels(o.calibLabels, 'calib-labels');
  const test = await readProbabilities(o.test, 'test', logits);
  if (test.dims[1] !== calib.dims[1]) {
    throw new SoftmaxError('E_SHAPE', `test: expected ${calib.dims[1]} classes (as calib), got ${test.dims[1]}`, 'test');
  }
  const testLabels = o.testLabels === undefined ? undefined : await readLabels(o.testLabels, 'test-labels');
  if (testLabels !== undefined && testLabels.length !== test.dims[0]) {
    throw new SoftmaxError('E_SHAPE', `test-labels: expected ${test.dims[0]} labels (one per test row), got ${testLabels.length}`, 'test-labels');
  }
  let result: Record<string, unknown>;
  try {
    const predictor = CALIBRATE[o.method](calib, calibLabels, { alpha: o.alpha, score: o.score, randomized: o.randomized, exactCoverage: o.exactCoverage === true, seed: o.seed });
    const sets = predictor.predict(test, { rng: createRng(o.seed + 1) });
    result = { predictor: predictor.toJSON(), sets: sets.sets };
    if (testLabels !== undefined) {
      const m = coverageMetrics(sets, testLabels, { alpha: o.alpha, classes: calib.dims[1] });
      result.metrics = { ...m, perClass: Array.from(m.perClass) };
      io.stderr.write(
        `softmax: ${o.method} ${o.score} α=${o.alpha}: coverage ${m.coverage.toFixed(4)}, CovGap ${m.covGap.toFixed(2)}, ` +
          `AvgSize ${m.avgSize.toFixed(2)}, FracUnderCov ${m.fracUnderCov.toFixed(3)}\n`,
      );
    }
  } catch (error) {
    withLogitsHint(error, logits);
  }
  const text = `${JSON.stringify(result)}\n`;
  if (o.output !== undefined) await writeFileAtomic(o.output, text);
  else io.stdout.write(text);
}

export const conformalCommand: CliCommand = {
  register(program: Command, io: CliIo): void {
    program
      .command('conformal')
      .description('calibrate a conformal predictor (split, class-wise or clustered) and predict sets')
      .requiredOption('--calib <file>', 'calibration probabilities [n, classes] (.npy or .csv)')
      .requiredOption('--calib-labels <file>', 'calibration labels, one integer per row')
      .requiredOption('--test <file>', 'test probabilities [m, classes]')
      .option('--test-labels <file>', 'test labels: adds coverage metrics')
      .requiredOption('--alpha <a>', 'miscoverage level in (0, 1), e.g. 0.1', parseNumber)
      .addOption(new Option('--method <m>', 'calibration method').choices(['split', 'classwise', 'clustered']).default('split'))
      .addOption(new Option('--score <s>', 'nonconformity score').choices(['lac', 'aps', 'raps']).default('aps'))
      .option('--randomized', 'randomized APS/RAPS scores')
      .option('--exact-coverage', 'randomised conformal quantile: coverage exactly 1 − α in expectation (not up to 1/(n+1) above); uses --seed')
      .option('--logits', 'the inputs are logits: apply softmax first')
      .option('--seed <n>', 'seed of every random choice (default 0)', parseInteger, 0)
      .option('-o, --output <file.json>', 'write { predictor, sets, metrics } here (default: stdout)')
      .addHelpText('after', '\nExample:\n  softmax conformal --calib cal.npy --calib-labels cal_y.npy --test test.npy --test-labels test_y.npy --alpha 0.1 --method clustered --score aps -o sets.json')
      .action((options: ConformalCliOptions) => runConformal(options, io));
  },
};
