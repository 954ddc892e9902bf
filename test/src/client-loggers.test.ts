import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';

const CHILD = fileURLToPath(new URL('./support/children/two-push-consumers.js', import.meta.url));
let broker: BrokerProcess;
before(async () => {
  broker = await startBrokerProcess({ memory: true, config: { pushLongPollingMs: 1000 } });
});
after(async () => {
  await broker.dispose();
});

test('each push consumer logs to its own logger, and nothing is written under ~/logs', async () => {
  const home = await mkdtemp(join(tmpdir(), 'txmq-home-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CHILD, broker.endpoint], {
      env: { ...process.env, HOME: home },
      timeout: 60_000,
    });
    const seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as { a: number; b: number; producer: number };
    assert.ok(seen.a > 0, 'the first consumer logged its handler failure');
    assert.ok(seen.b > 0, "the second consumer logged its own handler failure, not to the first one's logger");
    assert.equal(seen.producer, 0);
    assert.equal(existsSync(join(home, 'logs')), false, `files under HOME: ${(await readdir(home, { recursive: true })).join(', ')}`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
