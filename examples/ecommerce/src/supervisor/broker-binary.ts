import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The path of the `txmq-broker` command of the installed `@txmq/broker` (found from its client
 * entry, which loads no broker code).
 */
export function brokerBinary(): string {
  let dir = dirname(fileURLToPath(import.meta.resolve('@txmq/broker/client')));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; bin?: Record<string, string> };
      const bin = pkg.bin?.['txmq-broker'];
      if (pkg.name === '@txmq/broker' && bin !== undefined) return join(dir, bin);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the txmq-broker command of @txmq/broker was not found');
    dir = parent;
  }
}
