import { UsageError } from './args.js';
import { CommandFailure } from './database.js';
import { EXIT, writeJson, type CliIo } from './io.js';
import { parkedCommand } from './parked-command.js';
import { redriveCommand } from './redrive-command.js';
import { statsCommand } from './stats-command.js';

export const USAGE = `usage:
  txmq-outbox stats                  rows by state, and the age of the oldest pending row
  txmq-outbox parked [--limit N]     parked rows, oldest first, with the error that parked them (default 100)
  txmq-outbox redrive ID... | --all  put parked rows back in line, with a fresh attempt budget
Works on the outbox tables in the application's Postgres database, with or without relays running.
Options:
  --database-url URL  the database (default: the DATABASE_URL environment variable, which keeps
                      the password out of the process list)
  --schema NAME       the outbox's schema (default txmq, as createOutbox)
  --json              one JSON document on stdout instead of a table
  --timeout-ms N      deadline of connecting and of each statement (default 10000)
  --help, -h          this text
Exit codes: 0 done, 1 failed (cannot connect, no outbox in the schema, a named row not parked), 2 usage.`;

const COMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number | 'help'>> = {
  stats: statsCommand,
  parked: parkedCommand,
  redrive: redriveCommand,
};

/**
 * Runs `txmq-outbox` with `argv` (the arguments after the program name).
 * @returns the exit code: 0 done, 1 failed, 2 usage error.
 */
export async function runOutboxCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT.usage : EXIT.done;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    const why = name.startsWith('-') ? `the command comes first (stats, parked or redrive), then ${name}` : `unknown command ${JSON.stringify(name)}`;
    io.err(`txmq-outbox: ${why}\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    const code = await command(rest, io);
    if (code !== 'help') return code;
    io.out(USAGE);
    return EXIT.done;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`txmq-outbox ${name}: ${error.message}\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof CommandFailure) {
      io.err(`txmq-outbox ${name}: ${error.message}`);
      if (rest.includes('--json') && !error.documentWritten) writeJson(io, { error: { code: error.code, message: error.message } });
      return EXIT.failed;
    }
    throw error;
  }
}
