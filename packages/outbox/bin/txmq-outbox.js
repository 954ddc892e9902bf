#!/usr/bin/env node
// The `txmq-outbox` command: runs the compiled CLI. `npm install` at the repository root builds
// it (the root `prepare` script runs `tsc -b`); this file is plain JavaScript so that npm can link
// the command before anything is built.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('txmq-outbox: @txmq/outbox is not built yet; run "npm run build" in the txmq repository first');
  process.exit(1);
}
const { runOutboxCli } = await import(main.href);
const { PROCESS_IO } = await import(new URL('../dist/src/cli/io.js', import.meta.url).href);
try {
  process.exitCode = await runOutboxCli(process.argv.slice(2), PROCESS_IO);
} catch (error) {
  console.error('txmq-outbox: failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
