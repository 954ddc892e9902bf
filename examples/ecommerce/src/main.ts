#!/usr/bin/env node
// The example's command line: `node dist/main.js [all|demo|account|points|coupons|gifts] [options]`
// (see cli/usage.ts, or run it with --help).
import 'reflect-metadata';
import { runCli } from './cli/run-cli.js';

process.exit(await runCli(process.argv.slice(2), process.env));
