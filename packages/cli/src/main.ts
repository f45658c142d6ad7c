#!/usr/bin/env node
import { main } from './cli.js';

// The bin entry. Setting exitCode (not calling process.exit) lets stdout drain first.
process.exitCode = await main(process.argv.slice(2));
