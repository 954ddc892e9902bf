// Child process of client-no-server-code.test.ts: imports argv[2] and prints, one a line, every
// module that got loaded: ESM URLs (recorded by record-loads-hooks.js) and CommonJS file paths
// (require's cache, which the ESM hooks of Node 20 do not see).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

await import(process.argv[2]!);
const esm = readFileSync(process.env.TXMQ_LOAD_LOG!, 'utf8').split('\n').filter(Boolean);
const cjs = Object.keys(createRequire(import.meta.url).cache);
console.log([...esm, ...cjs].join('\n'));
