import { applyCommand } from './apply.js';
import { benchCommand } from './bench.js';
import { calibrateCommand } from './calibrate.js';
import { conformalCommand } from './conformal.js';
import type { CliCommand } from './command.js';
import { reportCommand } from './report.js';

/** Every subcommand, in help order. A new feature adds its file under commands/ and one entry here. */
export const COMMANDS: readonly CliCommand[] = [applyCommand, conformalCommand, calibrateCommand, benchCommand, reportCommand];
