import { readStats } from '../outbox/stats.js';
import { parseCommand, UsageError } from './args.js';
import { withDatabase } from './database.js';
import { EXIT, writeJson, type CliIo } from './io.js';
import { formatAge, formatTable } from './table.js';

/**
 * `txmq-outbox stats`: the outbox's rows by state and the age of the oldest pending row.
 * @returns 0 (read); failures are thrown for `runOutboxCli` to report.
 */
export async function statsCommand(argv: readonly string[], io: CliIo): Promise<number | 'help'> {
  const { common, positionals } = parseCommand(argv, io.env, {});
  if (common.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`stats takes no arguments, got ${positionals.join(' ')}`);
  const stats = await withDatabase(common, (db) => readStats(db, common.schema));
  if (common.json) {
    writeJson(io, { schema: common.schema, ...stats, oldestPendingAgeSeconds: stats.oldestPendingAgeMs / 1000 });
  } else {
    io.out(
      formatTable(
        ['SCHEMA', 'PENDING', 'DUE', 'IN FLIGHT', 'PARKED', 'SENT (KEPT)', 'OLDEST PENDING'],
        [[common.schema, stats.pending, stats.due, stats.inFlight, stats.parked, stats.sent, stats.pending > 0 ? formatAge(stats.oldestPendingAgeMs) : '-'].map(String)],
      ),
    );
    if (stats.parked > 0) io.out(`\n${stats.parked} parked row(s): see txmq-outbox parked, put back in line with txmq-outbox redrive`);
  }
  return EXIT.done;
}
