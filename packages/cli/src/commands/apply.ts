import { Argument, Option, type Command } from 'commander';
import { SoftmaxError } from 'softmax';
import { formatCsv, formatOfPath, readTensorFile, writeTensorFileAtomic } from 'softmax/node';
import { FLOAT_DTYPES, toFloatTensor, type FloatDtype } from '../float-tensor.js';
import type { CliIo } from '../io.js';
import { OP_NAMES, OPS, type OpName } from '../ops.js';
import { parseInteger, parseNumber } from '../parse-options.js';
import type { CliCommand } from './command.js';

export interface ApplyOptions {
  output?: string;
  axis?: number;
  temperature?: number;
  dtype?: FloatDtype;
}

/**
 * Reads `input` (.npy or .csv), applies the op and writes the result to `options.output` (.npy or .csv,
 * written atomically) or as CSV to stdout. Everything that can fail on the user's input (the output
 * type, reading, the op's checks, CSV's rank limit) fails before a byte is written.
 */
export async function applyOp(op: OpName, input: string, options: ApplyOptions, io: CliIo): Promise<void> {
  if (options.output !== undefined) formatOfPath(options.output);
  const file = await readTensorFile(input);
  if (file.header !== undefined) io.stderr.write(`softmax: note: ${input}: skipped the header row (${file.header.join(', ')})\n`);
  const x = toFloatTensor(file, options.dtype);
  const y = OPS[op](x, { axis: options.axis, temperature: options.temperature });
  if (options.output !== undefined) {
    await writeTensorFileAtomic(options.output, y);
  } else if (y.dims.length > 2) {
    throw new SoftmaxError('E_SHAPE', `the result has rank ${y.dims.length} ([${y.dims.join(', ')}]), more than CSV on stdout can hold; write it to a file with -o out.npy`, 'output');
  } else {
    io.stdout.write(formatCsv(y));
  }
}

export const applyCommand: CliCommand = {
  register(program: Command, io: CliIo): void {
    program
      .command('apply')
      .description('apply softmax, log-softmax or logsumexp to a .npy or .csv file')
      .addArgument(new Argument('<op>', 'the operation').choices(OP_NAMES))
      .argument('<input>', 'input file, .npy or .csv (a CSV header row of names is skipped)')
      .option('-o, --output <file>', 'write to this .npy or .csv file (default: CSV on stdout)')
      .option('--axis <n>', 'axis to normalise over; negative counts from the end (default: -1)', parseInteger)
      .option('--temperature <t>', 'divide the inputs by t > 0 first (default: 1)', parseNumber)
      .addOption(new Option('--dtype <type>', 'compute in this float type (default: the input\'s; integers become float64)').choices(FLOAT_DTYPES))
      .addHelpText(
        'after',
        '\nExamples:\n  softmax apply softmax logits.npy -o probs.npy\n  softmax apply log-softmax scores.csv --axis 0 --temperature 2\n  softmax apply logsumexp x.npy --dtype float64 -o lse.csv',
      )
      .action((op: OpName, input: string, options: ApplyOptions) => applyOp(op, input, options, io));
  },
};
