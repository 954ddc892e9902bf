import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '@txmq/test-support';
import { sql } from 'kysely';
import { createOutbox, TransactionFencedError } from '../src/index.js';
import { answerCheck, recordCommit } from '../src/transactional/transaction-log.js';
import { backendPid, testDb, waitForBlocked } from './helpers.js';

const t = testDb('txlog');
/** Longer than any test here: a check waits for the local transaction until it ends. */
const WAIT_MS = 60_000;
before(() => createOutbox({ db: t.db, schema: t.schema }).migrate());
after(() => t.close());

test('a committed local transaction answers COMMIT', async () => {
  await t.db.transaction().execute((trx) => recordCommit(trx, t.schema, 'tx-commit'));
  assert.equal(await answerCheck(t.db, t.schema, 'tx-commit', WAIT_MS), 'COMMIT');
  assert.equal(await answerCheck(t.db, t.schema, 'tx-commit', WAIT_MS), 'COMMIT', 'asking again gives the same answer');
});

test('a rolled-back or never-started local transaction answers ROLLBACK, and the answer is final', async () => {
  await assert.rejects(
    t.db.transaction().execute(async (trx) => {
      await recordCommit(trx, t.schema, 'tx-rollback');
      throw new Error('work failed');
    }),
  );
  assert.equal(await answerCheck(t.db, t.schema, 'tx-rollback', WAIT_MS), 'ROLLBACK');
  assert.equal(await answerCheck(t.db, t.schema, 'tx-never', WAIT_MS), 'ROLLBACK');
  // A late local transaction cannot commit after the check answered ROLLBACK.
  await assert.rejects(
    t.db.transaction().execute((trx) => recordCommit(trx, t.schema, 'tx-never')),
    (error: unknown) => error instanceof TransactionFencedError && error.transactionId === 'tx-never',
  );
  assert.equal(await answerCheck(t.db, t.schema, 'tx-never', WAIT_MS), 'ROLLBACK');
});

test('a check during an in-flight local transaction waits for it and answers its real outcome', async () => {
  const checker = t.connect(2);
  for (const outcome of ['commit', 'rollback'] as const) {
    const id = `tx-inflight-${outcome}`;
    let answer: string | undefined;
    const local = t.db.transaction().execute(async (trx) => {
      await recordCommit(trx, t.schema, id);
      void answerCheck(checker, t.schema, id, WAIT_MS).then((a) => (answer = a));
      // The check's fence insert waits on this transaction's uncommitted row.
      await waitForBlocked(t.db, await backendPid(trx), 1);
      assert.equal(answer, undefined, 'the check waits for the local transaction');
      if (outcome === 'rollback') throw new Error('work failed late');
    });
    if (outcome === 'rollback') await assert.rejects(local);
    else await local;
    assert.equal(
      await eventually('the check\'s answer', () => answer),
      outcome === 'commit' ? 'COMMIT' : 'ROLLBACK',
    );
  }
});

test('a check that fences first makes a concurrent late local insert fail', async () => {
  const id = 'tx-race';
  const answer = await answerCheck(t.db, t.schema, id, WAIT_MS);
  assert.equal(answer, 'ROLLBACK');
  let workRan = false;
  await assert.rejects(
    t.db.transaction().execute(async (trx) => {
      await recordCommit(trx, t.schema, id);
      workRan = true;
    }),
    TransactionFencedError,
  );
  assert.equal(workRan, false);
});

test('a check of a transaction open longer than its wait answers UNKNOWN and gives its connection back', { timeout: 30_000 }, async () => {
  // One connection for the local transaction, one for the check: a check that kept waiting
  // would leave the transaction none for its next statement.
  const pool = t.connect(2);
  const id = 'tx-long-open';
  await pool.transaction().execute(async (trx) => {
    await recordCommit(trx, t.schema, id);
    assert.equal(await answerCheck(pool, t.schema, id, 200), 'UNKNOWN');
    await sql`select 1`.execute(pool);
  });
  assert.equal(await answerCheck(pool, t.schema, id, 200), 'COMMIT', 'the broker asks again after the commit');
});
