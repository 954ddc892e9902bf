import { countParked, listParked, type ParkedMessage } from '../outbox/parked.js';
import { parseCommand, positiveInt, UsageError } from './args.js';
import { withDatabase } from './database.js';
import { EXIT, writeJson, type CliIo } from './io.js';
import { formatTable, oneLine } from './table.js';

/** Default of `--limit`. */
export const DEFAULT_PARKED_LIMIT = 100;
/** Longest last error a table line shows (`--json` shows it whole). */
const ERROR_WIDTH = 160;

/**
 * `txmq-outbox parked [--limit N]`: parked rows, oldest first, with the error that parked them.
 * @returns 0 (listed, even when none is parked); failures are thrown for `runOutboxCli` to report.
 */
export async function parkedCommand(argv: readonly string[], io: CliIo): Promise<number | 'help'> {
  const { common, values, positionals } = parseCommand(argv, io.env, { limit: { type: 'string' } });
  if (common.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`parked takes no arguments, got ${positionals.join(' ')}`);
  const limit = positiveInt(values.limit as string | undefined, '--limit', DEFAULT_PARKED_LIMIT);
  const { total, rows } = await withDatabase(common, async (db) => {
    const rows = await listParked(db, common.schema, limit);
    return { rows, total: rows.length < limit ? rows.length : await countParked(db, common.schema) };
  });
  if (common.json) {
    writeJson(io, { schema: common.schema, total, limit, parked: rows.map(toJson) });
    return EXIT.done;
  }
  if (rows.length === 0) {
    io.out(`no parked rows in schema ${common.schema}`);
    return EXIT.done;
  }
  io.out(
    formatTable(
      ['ID', 'MESSAGE ID', 'TOPIC', 'GROUP', 'ATTEMPTS', 'CREATED', 'CODE', 'STATUS', 'LAST ERROR'],
      rows.map((r) => [
        r.id,
        r.messageId,
        r.topic,
        r.messageGroup ?? '-',
        String(r.attempts),
        r.createdAt.toISOString(),
        r.lastErrorCode ?? '-',
        r.lastErrorStatus === undefined ? '-' : String(r.lastErrorStatus),
        oneLine(r.lastError ?? '-', ERROR_WIDTH),
      ]),
    ),
  );
  io.out(`\n${rows.length < total ? `${rows.length} of ${total}` : total} parked row(s), oldest first; put back in line with txmq-outbox redrive ID... | --all`);
  return EXIT.done;
}

/** A parked row as `--json` shows it: every field present (null when unknown), times in ISO-8601. */
function toJson(row: ParkedMessage): Record<string, unknown> {
  return {
    id: row.id,
    messageId: row.messageId,
    topic: row.topic,
    messageGroup: row.messageGroup ?? null,
    attempts: row.attempts,
    lastError: row.lastError ?? null,
    lastErrorCode: row.lastErrorCode ?? null,
    lastErrorStatus: row.lastErrorStatus ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
