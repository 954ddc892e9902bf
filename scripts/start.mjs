#!/usr/bin/env node
// `npm start`: builds the workspace, then runs the `txmq-broker` binary in this same process, with
// the arguments given after `npm start --`.
//
// Why in-process and why a single command in package.json: npm runs a script as `sh -c SCRIPT` and
// forwards SIGTERM and SIGINT to that shell. For a single simple command the shell execs it, so
// this process is npm's direct child and gets the signal; with `build && run` the shell stays in
// between, dies of the signal, and leaves the broker running under PID 1. Running the broker as
// a grandchild would have the same problem, so it is imported, not spawned. (Ctrl-C delivers SIGINT
// twice, from the terminal and forwarded by npm: the broker itself keeps listening while it drains.)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const brokerPackage = join(root, 'packages/broker/package.json');
const bin = JSON.parse(readFileSync(brokerPackage, 'utf8')).bin['txmq-broker'];
await import(pathToFileURL(join(dirname(brokerPackage), bin)).href);
