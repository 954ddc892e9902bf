#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under a `dist` folder) with Node's test runner.
// Usage: node scripts/run-tests.mjs [folder ...]   (default: the whole repository)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

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
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=240000', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
