import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@txmq/nest';
import { CompiledQuery, type Kysely } from 'kysely';
import { median, quantile, sideBySide, timeTransactions } from '../outbox/measure.js';

/** A service whose decorated method does the benchmark's one insert in the ambient transaction. */
@Injectable()
export class Users {
  /** The table the insert goes to (set before the first call). */
  static table = '';

  constructor(@Inject(TransactionHost) private readonly host: TransactionHost) {}

  @Transactional()
  async register(i: number): Promise<void> {
    await this.host.tx.insertInto(Users.table).values({ id: randomUUID(), name: `user-${i}` }).execute();
  }
}

interface Variant {
  readonly name: string;
  readonly run: (i: number) => Promise<unknown>;
}

const PLAIN = 'db.transaction().execute()';

/**
 * Issue 9's ratio: the per-transaction overhead of the module's transaction core. Each variant is
 * one transaction doing the same one-row insert (the same Kysely query): plain
 * `db.transaction().execute()` (the baseline), `TransactionHost.withTransaction` writing through
 * `host.tx`, and a `@Transactional()` method of a Nest provider doing the same. A calibration
 * variant (the plain transaction plus one `select 1`) shows what one more round trip costs.
 * Measured as in `outbox/send-ratio.ts`: side by side in the same 1 s windows (the machine's drift
 * cancels), and in alternating runs of each variant next to the baseline; every ratio is a median.
 */
export async function transactionOverhead(db: Kysely<any>, host: TransactionHost, users: Users, table: string): Promise<void> {
  Users.table = table;
  const insert = (trx: Kysely<any>, i: number) => trx.insertInto(table).values({ id: randomUUID(), name: `user-${i}` }).execute();
  const selectOne = CompiledQuery.raw('select 1', []);
  const baseline: Variant = { name: PLAIN, run: (i) => db.transaction().execute((trx) => insert(trx, i)) };
  const compared: Variant[] = [
    { name: 'TransactionHost.withTransaction', run: (i) => host.withTransaction(() => insert(host.tx, i)) },
    { name: '@Transactional() method', run: (i) => users.register(i) },
    {
      name: 'calibration: plain + one select 1',
      run: (i) =>
        db.transaction().execute(async (trx) => {
          await insert(trx, i);
          await trx.executeQuery(selectOne);
        }),
    },
  ];

  const windows = Number(process.env.BENCH_WINDOWS ?? 10);
  console.log(`\n@Transactional overhead, side by side: ${windows} windows of 1 s; transactions completed per baseline transaction, median (p25..p75)`);
  console.log(`| variant | baseline | 2 connections (1 + 1) | 8 connections (4 + 4) |`);
  console.log('|---|---|---|---|');
  for (const v of compared) {
    const cells: string[] = [];
    for (const perSide of [1, 4]) {
      await sideBySide(1_000, perSide, v.run, baseline.run); // warm-up
      const ratios: number[] = [];
      for (let w = 0; w < windows; w++) ratios.push(await sideBySide(1_000, perSide, v.run, baseline.run));
      cells.push(spread(ratios));
    }
    console.log(`| ${v.name} | ${PLAIN} | ${cells.join(' | ')} |`);
  }

  for (const concurrency of [1, 8]) {
    const n = concurrency === 1 ? 1_000 : 2_000;
    const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
    for (const v of [baseline, ...compared]) await timeTransactions(300, concurrency, v.run); // warm-up
    const perSecond = new Map<string, number[]>([baseline, ...compared].map((v) => [v.name, []]));
    const cpuMicros = new Map<string, number[]>([baseline, ...compared].map((v) => [v.name, []]));
    const ratios = new Map<string, number[]>(compared.map((v) => [v.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const v of compared) {
        const pair = round % 2 === 0 ? [v, baseline] : [baseline, v];
        const measured = new Map<string, number>();
        for (const run of pair) {
          const { perSecond: rate, cpuMicros: cpu } = await timeTransactions(n, concurrency, run.run);
          perSecond.get(run.name)?.push(rate);
          cpuMicros.get(run.name)?.push(cpu);
          measured.set(run.name, rate);
        }
        ratios.get(v.name)?.push((measured.get(v.name) as number) / (measured.get(PLAIN) as number));
      }
    }
    console.log(`\n@Transactional overhead, alternating runs: ${concurrency} connection(s), ${n} transactions per run, ${rounds} rounds`);
    console.log('| variant | tx/s | ratio vs plain, median (p25..p75) | machine CPU µs/tx |');
    console.log('|---|---|---|---|');
    for (const v of [baseline, ...compared]) {
      const ratio = v === baseline ? 'baseline' : spread(ratios.get(v.name) as number[]);
      console.log(`| ${v.name} | ${median(perSecond.get(v.name) as number[]).toFixed(0)} | ${ratio} | ${median(cpuMicros.get(v.name) as number[]).toFixed(0)} |`);
    }
  }
}

function spread(values: readonly number[]): string {
  return `${median(values).toFixed(3)} (${quantile(values, 0.25).toFixed(2)}..${quantile(values, 0.75).toFixed(2)})`;
}
