#!/usr/bin/env node
// The `txmq-broker` command: runs the compiled CLI. `npm install` at the repository root builds
// it (the root `prepare` script runs `tsc -b`); this file is plain JavaScript so that npm can link
// the command before anything is built.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('txmq-broker: the broker is not built yet; run "npm run build" in the txmq repository first');
  process.exit(1);
}
await import(main.href);
