import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Logger, type LoggerService } from '@nestjs/common';
import { sql } from 'kysely';
import { TransactionAbortedError, TransactionHost, TransactionNotActiveError } from '../src/index.js';
import { testDb, type TestDb } from './helpers.js';

/** What the host logged as errors. */
const logged: string[] = [];
const capture: LoggerService = {
  log: () => undefined,
  warn: () => undefined,
  error: (message: unknown) => void logged.push(String(message)),
};

let t: TestDb;
let host: TransactionHost;

before(async () => {
  Logger.overrideLogger(capture);
  t = await testDb();
  host = new TransactionHost(t.db);
});
after(async () => {
  await t?.close();
});
beforeEach(() => {
  logged.length = 0;
});

const insertUser = (id: string) => host.tx.insertInto(t.users).values({ id }).execute();
/** Whether `id` is committed, read on another connection. */
const committed = async (id: string) => (await t.userIds()).includes(id);

describe('TransactionHost.afterCommit / afterRollback', () => {
  it('afterCommit runs after the commit, outside any transaction, before withTransaction resolves', async () => {
    const seen: { committed: boolean; active: boolean }[] = [];
    const value = await host.withTransaction(async () => {
      await insertUser('cb-commit');
      host.afterCommit(async () => {
        seen.push({ committed: await committed('cb-commit'), active: host.isTransactionActive() });
      });
      host.afterRollback(() => seen.push({ committed: false, active: true }));
      assert.equal(seen.length, 0);
      return 42;
    });
    assert.equal(value, 42);
    assert.deepEqual(seen, [{ committed: true, active: false }]);
  });

  it('a joined (required) call registers on the outermost transaction', async () => {
    const events: string[] = [];
    await host.withTransaction(async () => {
      await host.withTransaction(async () => {
        await insertUser('cb-joined');
        host.afterCommit(() => events.push('inner commit'));
      });
      assert.equal(events.length, 0, 'nothing runs when the joined call returns');
      host.afterCommit(() => events.push('outer commit'));
    });
    assert.deepEqual(events.sort(), ['inner commit', 'outer commit']);

    events.length = 0;
    await assert.rejects(
      host.withTransaction(async () => {
        await host.withTransaction(async () => {
          host.afterCommit(() => events.push('commit'));
          host.afterRollback(() => events.push('rollback'));
        });
        throw new Error('the outer body fails');
      }),
      /the outer body fails/,
    );
    assert.deepEqual(events, ['rollback']);
  });

  it('a requiresNew transaction has its own callbacks, run when it commits', async () => {
    const events: string[] = [];
    await assert.rejects(
      host.withTransaction(async () => {
        host.afterRollback(() => events.push('outer rollback'));
        await host.withTransaction({ propagation: 'requiresNew' }, async () => {
          await insertUser('cb-requires-new');
          host.afterCommit(async () => events.push(`inner commit (committed: ${await committed('cb-requires-new')})`));
        });
        assert.deepEqual(events, ['inner commit (committed: true)']);
        throw new Error('the outer body fails');
      }),
      /the outer body fails/,
    );
    assert.deepEqual(events, ['inner commit (committed: true)', 'outer rollback']);
  });

  it('a callback that throws is logged, and neither the caller nor the other callbacks see it', async () => {
    const ran: string[] = [];
    await host.withTransaction(async () => {
      host.afterCommit(() => {
        throw new Error('sync boom');
      });
      host.afterCommit(async () => {
        throw new Error('async boom');
      });
      host.afterCommit(() => ran.push('third'));
    });
    assert.deepEqual(ran, ['third']);
    assert.equal(logged.length, 2);
    assert.ok(logged.every((m) => /an after-commit callback failed: Error: (sync|async) boom/.test(m)), logged.join('\n'));

    logged.length = 0;
    await assert.rejects(
      host.withTransaction(async () => {
        host.afterRollback(() => {
          throw new Error('rollback boom');
        });
        throw new Error('the body fails');
      }),
      /the body fails/,
      'the body\'s error, not the callback\'s',
    );
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /an after-rollback callback failed: Error: rollback boom/);
  });

  it('registering outside a transaction throws TransactionNotActiveError', async () => {
    assert.throws(() => host.afterCommit(() => undefined), (error: unknown) => error instanceof TransactionNotActiveError && /afterCommit\(\)/.test(error.message));
    assert.throws(() => host.afterRollback(() => undefined), TransactionNotActiveError);
    await assert.rejects(host.withTransaction(async () => host.afterCommit('nope' as never)), TypeError);
    let late: Promise<unknown> | undefined;
    await host.withTransaction(async () => {
      // Work the body leaves running registers after the transaction's body has finished.
      late = new Promise<void>((resolve) => setImmediate(resolve)).then(() => host.afterCommit(() => undefined)).then(
        () => 'registered',
        (error: unknown) => error,
      );
    });
    const error = await late;
    assert.ok(error instanceof TransactionNotActiveError && /has ended/.test(error.message), String(error));
  });

  it('a transaction an earlier caught error aborted fails with TransactionAbortedError instead of a silent rollback', async () => {
    const events: string[] = [];
    await assert.rejects(
      host.withTransaction(async () => {
        await insertUser('cb-aborted');
        host.afterCommit(() => events.push('commit'));
        host.afterRollback(() => events.push('rollback'));
        await sql`select 1 / 0`.execute(host.tx).catch(() => undefined);
      }),
      (error: unknown) => error instanceof TransactionAbortedError && (error.cause as { code?: string }).code === '25P02',
    );
    assert.deepEqual(events, ['rollback']);
    assert.equal(await committed('cb-aborted'), false);
  });

  it('a COMMIT that fails runs neither kind of callback (its outcome is not known to the host)', async () => {
    const parents = `${t.users}_parents`;
    const children = `${t.users}_children`;
    await sql`create table ${sql.raw(parents)} (id int primary key)`.execute(t.db);
    await sql`create table ${sql.raw(children)} (parent int references ${sql.raw(parents)} deferrable initially deferred)`.execute(t.db);
    const events: string[] = [];
    await assert.rejects(
      host.withTransaction(async () => {
        // Checked at COMMIT only: the body succeeds, the commit fails.
        await sql`insert into ${sql.raw(children)} (parent) values (1)`.execute(host.tx);
        host.afterCommit(() => events.push('commit'));
        host.afterRollback(() => events.push('rollback'));
      }),
      (error: unknown) => (error as { code?: string }).code === '23503',
    );
    assert.deepEqual(events, []);
  });
});
