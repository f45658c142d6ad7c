import { CommanderError } from 'commander';
import { SoftmaxError } from 'softmax';
import type { OutputStream } from './io.js';

/** Exit codes: 0 success, 1 internal error (a bug), 2 usage or input error (the user can fix it). */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

/**
 * Reports an error that escaped a command as one line on stderr and returns the exit code.
 * Commander has already printed its own messages (see `configureProgram`), so only its code is mapped.
 */
export function reportError(error: unknown, stderr: OutputStream, debug = false): number {
  if (error instanceof CommanderError) {
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
  }
  // E_STATE means the CLI drove the library wrongly, which is our bug, not the user's.
  if (error instanceof SoftmaxError && error.code !== 'E_STATE') {
    stderr.write(`softmax: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`softmax: internal error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  return EXIT_INTERNAL;
}
