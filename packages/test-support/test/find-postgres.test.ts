import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPostgres, LOCAL_DATABASE_URL, machineProbes, NoPostgresError, type PostgresProbes } from '../src/index.js';

const CONTAINER_URL = 'postgres://test:test@127.0.0.1:49153/test';

/** Probes that answer as told and record what was asked. */
function probes(answer: { databaseUrl?: string; local?: boolean; runtime?: boolean }) {
  const asked: string[] = [];
  const fake: PostgresProbes = {
    databaseUrl: answer.databaseUrl,
    async answers(url) {
      asked.push(`answers ${url}`);
      return answer.local ?? false;
    },
    async containerRuntimeAnswers() {
      asked.push('runtime');
      return answer.runtime ?? false;
    },
    async startContainer() {
      asked.push('start');
      return {
        url: CONTAINER_URL,
        stop: async () => {
          asked.push('stop');
        },
      };
    },
  };
  return { fake, asked };
}

test('DATABASE_URL, when set, is used as is and nothing is probed', async () => {
  const { fake, asked } = probes({ databaseUrl: 'postgres://ci@db:5432/x', local: true, runtime: true });
  const found = await findPostgres(fake);
  assert.equal(found.url, 'postgres://ci@db:5432/x');
  assert.equal(found.source, 'DATABASE_URL');
  await found.stop();
  assert.deepEqual(asked, []);
});

test('an empty DATABASE_URL counts as unset', async () => {
  const { fake } = probes({ databaseUrl: '', local: true });
  assert.equal((await findPostgres(fake)).source, 'local');
});

test('without DATABASE_URL the local default is used when it answers, and no container runtime is asked', async () => {
  const { fake, asked } = probes({ local: true, runtime: true });
  const found = await findPostgres(fake);
  assert.equal(found.url, LOCAL_DATABASE_URL);
  assert.equal(found.source, 'local');
  await found.stop();
  assert.deepEqual(asked, [`answers ${LOCAL_DATABASE_URL}`]);
});

test('when the local default does not answer but a container runtime does, a container is started and stop() stops it', async () => {
  const { fake, asked } = probes({ local: false, runtime: true });
  const found = await findPostgres(fake);
  assert.equal(found.url, CONTAINER_URL);
  assert.equal(found.source, 'container');
  assert.deepEqual(asked, [`answers ${LOCAL_DATABASE_URL}`, 'runtime', 'start']);
  await found.stop();
  assert.deepEqual(asked.at(-1), 'stop');
});

test('with none of the three, one error names all three ways and no container is started', async () => {
  const { fake, asked } = probes({ local: false, runtime: false });
  await assert.rejects(findPostgres(fake), (e: unknown) => {
    assert.ok(e instanceof NoPostgresError);
    assert.match(e.message, /DATABASE_URL/);
    assert.ok(e.message.includes(LOCAL_DATABASE_URL), e.message);
    assert.match(e.message, /container runtime/);
    return true;
  });
  assert.ok(!asked.includes('start'));
});

test('the machine probe: a port where nothing listens does not answer', async () => {
  assert.equal(await machineProbes({}).answers('postgres://postgres@127.0.0.1:1/test'), false);
});

test('the machine probe reads DATABASE_URL from the environment it is given', () => {
  assert.equal(machineProbes({ DATABASE_URL: 'postgres://x@y/z' }).databaseUrl, 'postgres://x@y/z');
  assert.equal(machineProbes({}).databaseUrl, undefined);
});
