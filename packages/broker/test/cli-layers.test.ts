import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// This file runs from packages/broker/dist/test/.
const SCRIPT = fileURLToPath(new URL('../../../../scripts/check-imports.mjs', import.meta.url));

/** The import check's problems on a repository made of `files` (path -> source). */
async function lint(files: Record<string, string>): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'txmq-lint-cli-'));
  try {
    for (const [path, source] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), source);
    }
    return await new Promise((resolve) => {
      execFile(process.execPath, [SCRIPT, root], (_error, _stdout, stderr) => resolve(stderr.split('\n').filter(Boolean)));
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const SRC = 'packages/broker/src/';

test('the admin and tx commands load no broker: client side, rules, errors and the CLI helpers only', async () => {
  assert.deepEqual(
    await lint({
      [`${SRC}cli/admin/command.ts`]: "import { createBrokerAdmin } from '../../client/broker-admin.js';\nimport { parseIsoTime } from '../../rules/iso-time.js';\nimport { ConfigError } from '../../errors.js';\nimport { parseCommandLine } from '../parse-args.js';\nimport { SECURITY_OPTIONS } from '../security-flags.js';\nimport type { CommandIo } from '../io.js';\n",
      [`${SRC}cli/tx-command.ts`]: "import { printTable } from './admin/output.js';\nimport { createTransactionAdmin } from '../client/admin-client.js';\n",
      [`${SRC}cli/serve-command.ts`]: "import { startBroker } from '../server.js';\n",
    }),
    [],
    'serve-command (which runs a broker) is not under the rule',
  );
  const problems = await lint({
    [`${SRC}cli/admin/topics-command.ts`]: "import { BrokerCore } from '../../core/broker-core.js';\n",
    [`${SRC}cli/admin/message-command.ts`]: "import { messageJson } from '../../http/json-views.js';\nimport { bodyBudget } from '../../admin/body-budget.js';\n",
    [`${SRC}cli/admin/reset-command.ts`]: "import { loadConfig } from '../../config.js';\nimport { runServeCommand } from '../serve-command.js';\n",
    [`${SRC}cli/tx-command.ts`]: "import { startBroker } from '../server.js';\nimport pino from 'pino';\n",
  });
  const files = problems.map((p) => p.split(':')[0]!.slice(SRC.length));
  assert.deepEqual(files.sort(), ['cli/admin/message-command.ts', 'cli/admin/message-command.ts', 'cli/admin/reset-command.ts', 'cli/admin/reset-command.ts', 'cli/admin/topics-command.ts', 'cli/tx-command.ts', 'cli/tx-command.ts'], problems.join('\n'));
});
