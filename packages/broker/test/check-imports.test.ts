import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// This file runs from packages/broker/dist/test/.
const SCRIPT = fileURLToPath(new URL('../../../../scripts/check-imports.mjs', import.meta.url));

/** Runs `npm run lint`'s import check on a repository made of `files` (path -> source). */
async function lint(files: Record<string, string>): Promise<{ code: number; problems: string[] }> {
  const root = await mkdtemp(join(tmpdir(), 'txmq-lint-'));
  try {
    for (const [path, source] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), source);
    }
    return await new Promise((resolve) => {
      execFile(process.execPath, [SCRIPT, root], (error, _stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, problems: stderr.split('\n').filter(Boolean) });
      });
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** A tree that follows every rule. */
const CLEAN = {
  'packages/broker/src/protocol/handler.ts': "import { BrokerCore } from '../core/broker-core.js';\nimport type { Store } from '../store/store.js';\n",
  'packages/broker/src/core/broker-core.ts': "import type { Store } from '../store/store.js';\nimport { checkMessage } from '../rules/index.js';\nimport { NotFoundError } from '../errors.js';\nimport type { Logger } from 'pino';\n",
  'packages/broker/src/store/store.ts': "import type { MessageRecord } from './records.js';\n",
  'packages/broker/src/client/producer.ts': "import { BrokerError } from '../errors.js';\nimport { checkMessage } from '../rules/index.js';\n",
  'packages/outbox/src/publisher.ts': "import { createProducer } from '@txmq/broker/client';\n",
  'examples/snippets/send.mjs': "import { createProducer } from '@txmq/broker/client';\n",
};

test('a tree that follows the rules passes', async () => {
  assert.deepEqual(await lint(CLEAN), { code: 0, problems: [] });
});

test('an import from core/ into protocol/ is rejected', async () => {
  const { code, problems } = await lint({ ...CLEAN, 'packages/broker/src/core/clients.ts': "import { ClientType } from '../protocol/codes.js';\n" });
  assert.equal(code, 1);
  assert.deepEqual(new Set(problems.map((p) => p.split(':')[0])), new Set(['packages/broker/src/core/clients.ts']));
  assert.ok(problems.some((p) => /core\/ must not import "\.\.\/protocol\/codes\.js"/.test(p)), problems.join('\n'));
});

test('@txmq/outbox importing the broker root is rejected; so are examples and the nest module', async () => {
  const { code, problems } = await lint({
    ...CLEAN,
    'packages/outbox/src/index.ts': "export type { HalfMessage } from '@txmq/broker';\n",
    'packages/outbox/test/relay.test.ts': "import { startBroker } from '@txmq/broker';\n",
    'packages/nest-module/src/module.ts': "import { createProducer } from '@txmq/broker/dist/src/client/index.js';\n",
    'examples/snippets/bad.mjs': "const { startBroker } = await import('@txmq/broker');\n",
  });
  assert.equal(code, 1);
  assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), [
    'examples/snippets/bad.mjs',
    'packages/nest-module/src/module.ts',
    'packages/outbox/src/index.ts',
    'packages/outbox/test/relay.test.ts',
  ]);
  for (const problem of problems) assert.match(problem, /must import the broker as "@txmq\/broker\/client"/);
});

test("the nest module's tests and its testing entry may start an in-process broker from the broker root; the rest of its src/ may not", async () => {
  const { problems } = await lint({
    ...CLEAN,
    'packages/nest-module/test/transport.test.ts': "import { startBroker } from '@txmq/broker';\n",
    'packages/nest-module/test/deep.test.ts': "import { startBroker } from '@txmq/broker/dist/src/server.js';\n",
    'packages/nest-module/src/testing/handle.ts': "import { startBroker } from '@txmq/broker';\n",
    'packages/nest-module/src/testing/deep.ts': "import { startBroker } from '@txmq/broker/dist/src/server.js';\n",
    'packages/nest-module/src/module.ts': "import { startBroker } from '@txmq/broker';\n",
  });
  assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), [
    'packages/nest-module/src/module.ts',
    'packages/nest-module/src/testing/deep.ts',
    'packages/nest-module/test/deep.test.ts',
  ]);
});

test('the rest of the nest module does not import its testing entry (which loads the broker server)', async () => {
  const { problems } = await lint({
    ...CLEAN,
    'packages/nest-module/src/index.ts': "export { TxmqTestingModule } from './testing/index.js';\n",
    'packages/nest-module/src/health/index.ts': "import { TxmqTestingHandle } from '@txmq/nest/testing';\n",
    'packages/nest-module/src/deep.ts': "import { freshPglite } from '@txmq/nest/dist/src/testing/fresh-pglite.js';\n",
    'packages/nest-module/src/testing/index.ts': "export { TxmqModule } from '../txmq.module.js';\nexport { handle } from './handle.js';\n",
    'packages/nest-module/src/testing/handle.ts': "import { TxmqModule } from '@txmq/nest';\nimport { freshPglite } from '@txmq/nest/testing';\n",
    'packages/nest-module/src/testing-like.ts': "import { TxmqModule } from '@txmq/nest/testing-like';\n",
    'packages/nest-module/test/testing.test.ts': "import { TxmqTestingModule } from '../src/testing/index.js';\n",
    'examples/nest-snippets/src/accounts.test.ts': "import { TxmqTestingModule } from '@txmq/nest/testing';\n",
  });
  assert.deepEqual(problems.sort(), [
    'packages/nest-module/src/deep.ts: must not import the testing entry "@txmq/nest/dist/src/testing/fresh-pglite.js" (it loads the broker server)',
    'packages/nest-module/src/health/index.ts: must not import the testing entry "@txmq/nest/testing" (it loads the broker server)',
    'packages/nest-module/src/index.ts: must not import the testing entry "./testing/index.js" (it loads the broker server)',
  ]);
});

test('the other layer rules: store/ below core/, core/ below config.ts, the client side loads no server code', async () => {
  const { problems } = await lint({
    ...CLEAN,
    'packages/broker/src/store/memory-store.ts': "import type { MessageRecord } from '../core/types.js';\n",
    'packages/broker/src/core/registry.ts': "import { autoTopic } from '../config.js';\n",
    'packages/broker/src/protocol/respond.ts': "import { startBroker } from '../server.js';\n",
    'packages/broker/src/client/admin-client.ts': "import { Code } from '../protocol/codes.js';\nimport type { Resolution } from '../core/transactions.js';\n",
    'packages/broker/src/client/log.ts': "import { pino } from 'pino';\n",
    'packages/broker/src/rules/names.ts': "import { open } from 'lmdb';\n",
    'packages/broker/src/errors.ts': "import { MemoryStore } from './store/memory-store.js';\n",
    'packages/broker/src/server.ts': "import { Code } from './protocol/codes.js';\n",
  });
  assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), [
    'packages/broker/src/client/admin-client.ts',
    'packages/broker/src/client/admin-client.ts',
    'packages/broker/src/client/admin-client.ts',
    'packages/broker/src/client/log.ts',
    'packages/broker/src/core/registry.ts',
    'packages/broker/src/errors.ts',
    'packages/broker/src/protocol/respond.ts',
    'packages/broker/src/rules/names.ts',
    'packages/broker/src/server.ts',
    'packages/broker/src/store/memory-store.ts',
  ]);
});

test('relative imports name their .js file, and nothing outside tests imports test code', async () => {
  const { problems } = await lint({
    ...CLEAN,
    'packages/broker/src/core/a.ts': "import { b } from './b';\n",
    'packages/outbox/src/c.ts': "import { helper } from '../test/helpers.js';\n",
  });
  assert.equal(problems.length, 2);
  assert.match(problems.join('\n'), /core\/a\.ts: relative import "\.\/b" must end in \.js/);
  assert.match(problems.join('\n'), /outbox\/src\/c\.ts: imports test code/);
});

test("a package does not import another package's files by relative path", async () => {
  const { code, problems } = await lint({
    ...CLEAN,
    'packages/outbox/src/message/rules.ts': "import { checkMessage } from '../../../broker/src/rules/index.js';\n",
    'packages/nest-module/src/module.ts': "export { createOutbox } from '../../outbox/src/index.js';\n",
    'examples/snippets/peek.mjs': "import { checkMessage } from '../../packages/broker/dist/src/rules/index.js';\n",
    // Inside its own package, a relative import is fine.
    'packages/outbox/src/relay/relay.ts': "import { checkMessage } from '../message/rules.js';\n",
  });
  assert.equal(code, 1);
  assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), ['examples/snippets/peek.mjs', 'packages/nest-module/src/module.ts', 'packages/outbox/src/message/rules.ts']);
  for (const problem of problems) assert.match(problem, /reaches into another package; import it by its package name/);
});

test('wire/ (the shared schema) is imported by protocol/ and the client, and itself imports nothing of the broker but wire/', async () => {
  const { problems } = await lint({
    ...CLEAN,
    'packages/broker/src/protocol/handler.ts': "import { loadMessagingService } from '../wire/proto.js';\n",
    'packages/broker/src/client/session/channels.ts': "import { messagingClient } from '../../wire/proto.js';\n",
    'packages/broker/src/wire/proto.ts': "import type { Status } from './types.js';\n",
    'packages/broker/src/wire/bad.ts': "import { BrokerCore } from '../core/broker-core.js';\nimport { STATUS_CODES } from '../status-codes.js';\nimport pino from 'pino';\n",
  });
  assert.deepEqual(problems.map((p) => p.split(':')[0]), ['packages/broker/src/wire/bad.ts', 'packages/broker/src/wire/bad.ts', 'packages/broker/src/wire/bad.ts']);
});

test('the operator surfaces: http/ and admin/ build on core/ and admin/backend, never on protocol/; core/ imports neither', async () => {
  const allowed = await lint({
    ...CLEAN,
    'packages/broker/src/http/api.ts': "import type { AdminBackend } from '../admin/backend.js';\nimport type { TopicView } from '../core/views/index.js';\nimport { NotFoundError } from '../errors.js';\n",
    'packages/broker/src/admin/topics-service.ts': "import type { AdminBackend } from './backend.js';\nimport type { WireTransaction } from '../client/admin-proto.js';\n",
  });
  assert.deepEqual(allowed, { code: 0, problems: [] });
  const { code, problems } = await lint({
    ...CLEAN,
    'packages/broker/src/http/metrics.ts': "import { Code } from '../protocol/codes.js';\n",
    'packages/broker/src/admin/service.ts': "import { startBroker } from '../server.js';\n",
    'packages/broker/src/core/registry.ts': "import { apiRouter } from '../http/api.js';\nimport type { AdminBackend } from '../admin/backend.js';\n",
  });
  assert.equal(code, 1);
  assert.ok(problems.some((p) => /http\/metrics\.ts: http\/ must not import "\.\.\/protocol\/codes\.js"/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /admin\/service\.ts: admin\/ must not import "\.\.\/server\.js"/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /core\/registry\.ts: core\/ must not import "\.\.\/http\/api\.js"/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /core\/registry\.ts: core\/ must not import "\.\.\/admin\/backend\.js"/.test(p)), problems.join('\n'));
});
