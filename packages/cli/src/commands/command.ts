import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/**
 * One subcommand of `softmax`. A command file exports one of these and is listed in `commands/index.ts`;
 * `register` declares the name, arguments, options, help text and action on the program.
 * Actions report failures by throwing (`SoftmaxError` for the user's input, `command.error()` for usage);
 * `main` turns what escapes into one stderr line and an exit code.
 */
export interface CliCommand {
  register(program: Command, io: CliIo): void;
}
