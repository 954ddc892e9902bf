#!/usr/bin/env node
// Lint of the import graph: relative imports end in .js (ESM), packages only depend "downwards"
// (nest-module -> outbox -> broker), and nothing imports test code.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const forbidden = {
  'packages/broker/': [/^@txmq\/outbox/, /^@txmq\/nest/, /^@nestjs\//],
  'packages/outbox/': [/^@txmq\/nest/, /^@nestjs\//],
};
const problems = [];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) check(path);
  }
}

function check(path) {
  const file = relative(root, path);
  const source = readFileSync(path, 'utf8');
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
    const spec = match[1];
    if (spec.startsWith('.') && !spec.endsWith('.js')) problems.push(`${file}: relative import "${spec}" must end in .js`);
    if (/\/test\//.test(spec) && !file.includes('/test/')) problems.push(`${file}: imports test code "${spec}"`);
    for (const [prefix, rules] of Object.entries(forbidden)) {
      if (file.startsWith(prefix) && rules.some((r) => r.test(spec))) problems.push(`${file}: must not import "${spec}"`);
    }
  }
}

for (const dir of ['packages', 'test/src', 'bench/src', 'examples']) {
  try {
    walk(join(root, dir));
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('imports ok');
