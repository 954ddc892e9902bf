#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under a `dist` folder) with Node's test runner.
// Usage: node scripts/run-tests.mjs [folder ...]   (default: the whole repository)
//
// It finds one Postgres for the whole run (DATABASE_URL, else the local default, else a
// container; see packages/test-support) and hands it to every test file as DATABASE_URL, so at
// most one container is started, and it is stopped when the run ends.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const folders = process.argv.slice(2);
const starts = folders.length > 0 ? folders.map((f) => join(root, f)) : [root];

function collect(dir, insideDist, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, insideDist || name === 'dist', out);
    else if (insideDist && name.endsWith('.test.js')) out.push(relative(root, path));
  }
  return out;
}

const files = starts.flatMap((start) => collect(start, false, [])).sort();
if (files.length === 0) {
  console.error(`no compiled test files found under ${starts.join(', ')}; run "npm run build" first`);
  process.exit(1);
}

const { findPostgres, machineProbes } = await import('../packages/test-support/dist/src/index.js');
let postgres;
try {
  postgres = await findPostgres(machineProbes());
  if (postgres.source === 'container') console.error(`tests use a Postgres container at ${postgres.url}`);
} catch (error) {
  // Test files that need Postgres report this themselves; the others still run.
  console.error(error.message);
}

const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=240000', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: postgres ? { ...process.env, DATABASE_URL: postgres.url } : process.env,
});
// Ctrl-C reaches the test runner through the process group; wait for it, then stop the container.
process.on('SIGINT', () => undefined).on('SIGTERM', () => child.kill('SIGTERM'));
const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
await postgres?.stop();
process.exit(status);
