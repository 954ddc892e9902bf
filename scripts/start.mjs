#!/usr/bin/env node
// `npm start` and `npm run demo`: builds the workspace, then runs the e-commerce example's command
// line (examples/ecommerce, see its README) in this same process, with the arguments given after
// `npm start --` (`npm run demo` passes `demo` first). Without arguments that is `all`: the txmq
// broker and the services, each its own child process, until SIGTERM or Ctrl-C.
//
// Why in-process and why a single command in package.json: npm runs a script as `sh -c SCRIPT` and
// forwards SIGTERM and SIGINT to that shell. For a single simple command the shell execs it, so
// this process is npm's direct child and gets the signal; with `build && run` the shell stays in
// between, dies of the signal, and leaves the processes running. This process is the supervisor:
// its children run in process groups of their own, so Ctrl-C reaches only npm and this process,
// which stops the services (they drain) and then the broker, and exits 0. A child whose
// supervisor is killed stops by itself (it watches its IPC channel).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

await import(pathToFileURL(join(root, 'examples/ecommerce/dist/main.js')).href);
