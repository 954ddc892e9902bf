import { randomUUID } from 'node:crypto';
import type { Outbox } from '@txmq/outbox';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { median, quantile, sideBySide, timeTransactions } from './measure.js';

interface Variant {
  readonly name: string;
  /** The variant this one is compared with. */
  readonly baseline: string;
  readonly run: (i: number) => Promise<unknown>;
}

const HAND_WRITTEN = 'hand-written SQL';
const RAW_PG = 'raw pg, no Kysely';

/**
 * Issue 4's ratio: a business transaction (insert a user, then the message) with `outbox.send`
 * against the same transaction with the outbox row written as hand-written SQL. Every variant
 * writes the same two rows; only how the outbox row is written differs. The hand-written insert
 * takes Kysely's cheapest path (a precompiled raw query), and the user insert is the same
 * statement everywhere. The whole transaction in raw `pg` is compared too, to show what Kysely
 * itself costs, and a calibration variant (the hand-written transaction plus one `select 1`)
 * shows what a difference of one round trip looks like.
 *
 * Two designs, because these machines drift by ±10% within seconds:
 * - side by side: half the workers run the variant, half its baseline, in the same 1 s windows;
 *   the ratio of their completed transactions is the ratio of per-transaction cost, with the
 *   machine's drift cancelled (but work a variant does outside its transactions, such as the
 *   outbox's wake-up NOTIFYs, slows both halves alike);
 * - alternating runs: each variant alone, right next to its baseline (order alternating), which
 *   includes such background work; noisier, so more rounds.
 * Every ratio is a median over windows or rounds.
 */
export async function sendRatio(db: Kysely<any>, pool: pg.Pool, outbox: Outbox): Promise<void> {
  const variants = businessTransactions(db, pool, outbox);
  const byName = new Map(variants.map((v) => [v.name, v]));
  const compared = variants.filter((v) => v.name !== v.baseline);
  const baselineOf = (v: Variant) => byName.get(v.baseline) as Variant;

  const windows = Number(process.env.BENCH_WINDOWS ?? 10);
  console.log(`\nOutbox send, side by side: ${windows} windows of 1 s; ratio of transactions completed, median (p25..p75)`);
  console.log('| variant | baseline | 2 connections (1 + 1) | 8 connections (4 + 4) |');
  console.log('|---|---|---|---|');
  for (const v of compared) {
    const cells: string[] = [];
    for (const perSide of [1, 4]) {
      await sideBySide(1_000, perSide, v.run, baselineOf(v).run); // warm-up
      const ratios: number[] = [];
      for (let w = 0; w < windows; w++) ratios.push(await sideBySide(1_000, perSide, v.run, baselineOf(v).run));
      cells.push(spread(ratios));
    }
    console.log(`| ${v.name} | ${v.baseline} | ${cells.join(' | ')} |`);
  }

  for (const concurrency of [1, 8]) {
    const n = concurrency === 1 ? 1_000 : 3_000;
    const rounds = Number(process.env.BENCH_ROUNDS ?? (concurrency === 1 ? 10 : 16));
    for (const v of variants) await timeTransactions(300, concurrency, v.run); // warm-up
    const results = new Map(variants.map((v) => [v.name, { perSecond: [] as number[], cpuMicros: [] as number[], ratios: [] as number[] }]));
    for (let round = 0; round < rounds; round++) {
      for (const v of compared) {
        const pair = round % 2 === 0 ? [v, baselineOf(v)] : [baselineOf(v), v];
        const perSecond = new Map<string, number>();
        for (const run of pair) {
          const measured = await timeTransactions(n, concurrency, run.run);
          results.get(run.name)?.perSecond.push(measured.perSecond);
          results.get(run.name)?.cpuMicros.push(measured.cpuMicros);
          perSecond.set(run.name, measured.perSecond);
        }
        results.get(v.name)?.ratios.push((perSecond.get(v.name) as number) / (perSecond.get(v.baseline) as number));
      }
    }
    console.log(`\nOutbox send, alternating runs: ${concurrency} connection(s), ${n} transactions per run, ${rounds} rounds`);
    console.log('| variant | tx/s | ratio vs its baseline, median (p25..p75) | machine CPU µs/tx |');
    console.log('|---|---|---|---|');
    for (const v of variants) {
      const r = results.get(v.name) as { perSecond: number[]; cpuMicros: number[]; ratios: number[] };
      const ratio = v.name === v.baseline ? 'baseline' : `${spread(r.ratios)} vs ${v.baseline}`;
      console.log(`| ${v.name} | ${median(r.perSecond).toFixed(0)} | ${ratio} | ${median(r.cpuMicros).toFixed(0)} |`);
    }
    await sql`truncate ${sql.table(`${outbox.schema}.outbox`)}, ${sql.table(`${outbox.schema}.users`)}`.execute(db);
  }
}

function spread(values: readonly number[]): string {
  return `${median(values).toFixed(3)} (${quantile(values, 0.25).toFixed(2)}..${quantile(values, 0.75).toFixed(2)})`;
}

/** The business transactions compared; each inserts one user and one outbox row. */
function businessTransactions(db: Kysely<any>, pool: pg.Pool, outbox: Outbox): Variant[] {
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
  const inKysely = (write: (trx: Kysely<any>, i: number) => Promise<unknown>) => (i: number) =>
    db.transaction().execute(async (trx) => {
      await insertUser(trx, i);
      await write(trx, i);
    });
  const selectOne = CompiledQuery.raw('select 1', []);
  return [
    { name: 'outbox.send', baseline: HAND_WRITTEN, run: inKysely((trx, i) => outbox.send(trx, message(i))) },
    { name: HAND_WRITTEN, baseline: HAND_WRITTEN, run: inKysely((trx, i) => writeByHand(trx, i, null)) },
    {
      name: 'outbox.send, messageGroup',
      baseline: 'hand-written SQL, message_group',
      run: inKysely((trx, i) => outbox.send(trx, { ...message(i), messageGroup: `user-${i}` })),
    },
    {
      name: 'hand-written SQL, message_group',
      baseline: 'hand-written SQL, message_group',
      run: inKysely((trx, i) => writeByHand(trx, i, `user-${i}`)),
    },
    {
      name: 'calibration: hand-written SQL + one select 1',
      baseline: HAND_WRITTEN,
      run: inKysely(async (trx, i) => {
        await writeByHand(trx, i, null);
        await trx.executeQuery(selectOne);
      }),
    },
    {
      name: RAW_PG,
      baseline: HAND_WRITTEN,
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
}
