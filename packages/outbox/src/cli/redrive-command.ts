import { redriveParkedIds, rowStatuses } from '../outbox/parked.js';
import { parseCommand, UsageError } from './args.js';
import { CommandFailure, withDatabase } from './database.js';
import { EXIT, writeJson, type CliIo } from './io.js';

const ROW_ID = /^[1-9][0-9]{0,18}$/;

/**
 * `txmq-outbox redrive ID... | --all`: puts parked rows back in line with a fresh attempt budget.
 * @returns 0 when every named row (or every parked row) was redriven, 1 when a named row was not
 *   parked (the others are redriven all the same); failures are thrown for `runOutboxCli` to report.
 */
export async function redriveCommand(argv: readonly string[], io: CliIo): Promise<number | 'help'> {
  const { common, values, positionals } = parseCommand(argv, io.env, { all: { type: 'boolean' } });
  if (common.help) return 'help';
  const all = values.all === true;
  if (all && positionals.length > 0) throw new UsageError('redrive takes row ids or --all, not both');
  if (!all && positionals.length === 0) throw new UsageError('redrive needs the ids of parked rows (see txmq-outbox parked), or --all');
  const bad = positionals.filter((id) => !ROW_ID.test(id) || BigInt(id) > 9_223_372_036_854_775_807n);
  if (bad.length > 0) throw new UsageError(`row ids are positive integers (the ID column of txmq-outbox parked), got ${bad.join(', ')}`);
  const ids = all ? undefined : [...new Set(positionals)];
  const { redriven, notParked } = await withDatabase(common, async (db) => {
    const redriven = await redriveParkedIds(db, common.schema, ids);
    const done = new Set(redriven);
    const missing = (ids ?? []).filter((id) => !done.has(id));
    const statuses = missing.length > 0 ? await rowStatuses(db, common.schema, missing) : new Map<string, string>();
    return { redriven, notParked: missing.map((id) => ({ id, status: statuses.get(id) ?? null })) };
  });
  if (common.json) {
    writeJson(io, { schema: common.schema, redriven, notParked });
  } else {
    io.out(redriven.length === 0 ? `no parked rows redriven in schema ${common.schema}` : `redriven ${redriven.length} row(s) in schema ${common.schema}: ${redriven.join(' ')}`);
  }
  if (notParked.length === 0) return EXIT.done;
  const why = notParked.map(({ id, status }) => `${id} (${status === null ? 'no such row' : status})`).join(', ');
  throw new CommandFailure('NOT_PARKED', `not parked, so not redriven: ${why}`, common.json);
}
