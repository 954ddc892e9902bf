import { randomUUID } from 'node:crypto';
import type { Outbox } from '@txmq/outbox';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { median, quantile, timeTransactions } from './measure.js';

interface Variant {
  readonly name: string;
  /** The variant this one's ratio is taken against. */
  readonly baseline: string;
  readonly run: (i: number) => Promise<unknown>;
}

/**
 * Issue 4's ratio: a business transaction (insert a user, then the message) with `outbox.send`
 * against the same transaction with the outbox row written as hand-written SQL. Every variant
 * writes the same two rows; only how the outbox row is written differs. The hand-written insert
 * takes Kysely's cheapest path (a precompiled raw query), and the user insert is the same
 * statement everywhere. The whole transaction in raw `pg` is measured too, to show what Kysely
 * itself costs. Variants take turns (rotated each round), so drift of the machine hits them alike;
 * each ratio is the median of per-round ratios.
 */
export async function sendRatio(db: Kysely<any>, pool: pg.Pool, outbox: Outbox, silent: Outbox): Promise<void> {
  const { schema } = outbox;
  const users = sql.table(`${schema}.users`);
  const insertUser = (trx: Kysely<any>, i: number) =>
    sql`insert into ${users} (id, name) values (${randomUUID()}, ${`user-${i}`})`.execute(trx);
  const body = (i: number) => Buffer.from(JSON.stringify({ userId: i }));
  const handWritten = `insert into "${schema}"."outbox" (message_id, topic, keys, message_group, content_type, body)
    values ($1, 'user-registered', $2, $3, 'application/json', $4)`;
  const writeByHand = (trx: Kysely<any>, i: number, group: string | null) =>
    trx.executeQuery(CompiledQuery.raw(handWritten, [randomUUID(), [`user-${i}`], group, body(i)]));
  const message = (i: number) => ({ topic: 'user-registered', body: { userId: i }, keys: [`user-${i}`] });

  const variants: Variant[] = [
    {
      name: 'outbox.send',
      baseline: 'hand-written SQL',
      run: (i) => db.transaction().execute(async (trx) => {
        await insertUser(trx, i);
        await outbox.send(trx, message(i));
      }),
    },
    {
      name: 'outbox.send, notify: false',
      baseline: 'hand-written SQL',
      run: (i) => db.transaction().execute(async (trx) => {
        await insertUser(trx, i);
        await silent.send(trx, message(i));
      }),
    },
    {
      name: 'hand-written SQL',
      baseline: 'hand-written SQL',
      run: (i) => db.transaction().execute(async (trx) => {
        await insertUser(trx, i);
        await writeByHand(trx, i, null);
      }),
    },
    {
      name: 'outbox.send, messageGroup',
      baseline: 'hand-written SQL, message_group',
      run: (i) => db.transaction().execute(async (trx) => {
        await insertUser(trx, i);
        await outbox.send(trx, { ...message(i), messageGroup: `user-${i}` });
      }),
    },
    {
      name: 'hand-written SQL, message_group',
      baseline: 'hand-written SQL, message_group',
      run: (i) => db.transaction().execute(async (trx) => {
        await insertUser(trx, i);
        await writeByHand(trx, i, `user-${i}`);
      }),
    },
    {
      name: 'raw pg, no Kysely',
      baseline: 'hand-written SQL',
      run: async (i) => {
        const client = await pool.connect();
        try {
          await client.query('begin');
          await client.query(`insert into "${schema}".users (id, name) values ($1, $2)`, [randomUUID(), `user-${i}`]);
          await client.query(handWritten, [randomUUID(), [`user-${i}`], null, body(i)]);
          await client.query('commit');
        } finally {
          client.release();
        }
      },
    },
  ];

  for (const concurrency of [1, 8]) {
    const n = concurrency === 1 ? 1_000 : 3_000;
    const rounds = Number(process.env.BENCH_ROUNDS ?? (concurrency === 1 ? 10 : 20));
    for (const v of variants) await timeTransactions(300, concurrency, v.run); // warm-up
    const perSecond = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const cpu = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + round) % variants.length] as Variant;
        const result = await timeTransactions(n, concurrency, v.run);
        perSecond.get(v.name)?.push(result.perSecond);
        cpu.get(v.name)?.push(result.cpuMicros);
      }
    }
    const ratios = (name: string, baseline: string) => {
      const of = perSecond.get(name) as number[];
      const base = perSecond.get(baseline) as number[];
      return of.map((value, r) => value / (base[r] as number));
    };
    console.log(`\nOutbox send: ${concurrency} connection(s), ${n} transactions per round, ${rounds} rounds`);
    console.log('| variant | tx/s | ratio vs its baseline (p25..p75) | ratio vs raw pg | machine CPU µs/tx |');
    console.log('|---|---|---|---|---|');
    for (const v of variants) {
      const vsBaseline = ratios(v.name, v.baseline);
      const vsRaw = ratios(v.name, 'raw pg, no Kysely');
      console.log(
        `| ${v.name} | ${median(perSecond.get(v.name) as number[]).toFixed(0)} | ` +
          (v.name === v.baseline ? 'baseline' : `${median(vsBaseline).toFixed(3)} vs ${v.baseline} (${quantile(vsBaseline, 0.25).toFixed(2)}..${quantile(vsBaseline, 0.75).toFixed(2)})`) +
          ` | ${median(vsRaw).toFixed(3)} | ${median(cpu.get(v.name) as number[]).toFixed(0)} |`,
      );
    }
    await sql`truncate ${sql.table(`${schema}.outbox`)}, ${users}`.execute(db);
  }
}
