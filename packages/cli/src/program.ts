import { createRequire } from 'node:module';
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { widthOf, type CliIo } from './io.js';

/** The package version, read from package.json (one level above both src/ and dist/). */
function version(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

/**
 * A fresh program for one run: all output goes to `io`, errors throw (`exitOverride`) instead of calling
 * `process.exit`, and commander's own messages take the `softmax: <message>` form. The settings are made
 * before the commands are added so every subcommand inherits them.
 */
export function createProgram(io: CliIo): Command {
  const program = new Command('softmax')
    .description('exact, fast softmax for JavaScript: apply it to files, benchmark it, report on it')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => widthOf(io.stdout),
      getErrHelpWidth: () => widthOf(io.stderr),
      outputError: (text, write) => write(`softmax: ${text.replace(/^error: /, '')}`),
    });
  for (const command of COMMANDS) command.register(program, io);
  return program;
}
