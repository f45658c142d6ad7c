import { EXIT_OK, reportError } from './exit.js';
import { processIo, type CliIo } from './io.js';
import { createProgram } from './program.js';

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code:
 * 0 success, 2 usage or input error, 1 internal error. Errors are one `softmax: <message>` line on stderr
 * (with a stack trace when `SOFTMAX_DEBUG` is set). Never calls `process.exit`, so tests run it in-process.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io.stderr, process.env.SOFTMAX_DEBUG !== undefined);
  }
}
