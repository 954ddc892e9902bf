import { CONSOLE_IO, type CommandIo } from '../io.js';
import { ADMIN_TX_COMMAND, runTransactionCommand } from '../tx-command.js';
import { COMMON_OPTIONS_USAGE, EXIT, runAdminCommand, type AdminCommand } from './command.js';
import { DLQ_COMMAND } from './dlq-command.js';
import { GROUPS_COMMAND } from './groups-command.js';
import { MESSAGE_COMMAND } from './message-command.js';
import { RESET_COMMAND } from './reset-command.js';
import { TOPICS_COMMAND } from './topics-command.js';
import { TRACE_COMMAND } from './trace-command.js';

const COMMANDS: readonly AdminCommand[] = [TOPICS_COMMAND, GROUPS_COMMAND, MESSAGE_COMMAND, TRACE_COMMAND, DLQ_COMMAND, RESET_COMMAND];

export const ADMIN_USAGE = `usage:
  txmq-broker admin topics [--describe NAME] | topics create|update NAME [--queues N] [--message-type TYPE]
  txmq-broker admin groups [NAME] | groups create|update NAME [settings]     (with lag, in flight, online consumers, DLQ size)
  txmq-broker admin message --id ID | --topic T --key K | --topic T --from TIME --to TIME
  txmq-broker admin trace ID
  txmq-broker admin dlq GROUP | dlq resend GROUP ID
  txmq-broker admin reset GROUP --to TIME|end [--topic T]
  txmq-broker admin tx list|commit|rollback ...
Talks to a RUNNING broker through its admin API (txmq.admin.v1, on the broker's gRPC port).
txmq-broker admin COMMAND --help tells more. Exit codes: 0 found or done, 1 not found, refused or
broker unreachable, 2 usage error. With --json, stdout is one JSON document: a listing is
{ "items": [...], "nextPageToken"?: "..." }, a failure (exit 1) { "error": { "code", "message" } }.
${COMMON_OPTIONS_USAGE}`;

/**
 * `txmq-broker admin COMMAND ...`: operator access to a running broker's topics, groups, messages,
 * traces, dead letters, group positions and transactions.
 *
 * @returns the process exit code: 0 found or done, 1 not found, refused or unreachable, 2 usage error.
 */
export async function runAdmin(argv: string[], io: CommandIo = CONSOLE_IO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      io.err(`txmq-broker admin: missing command\n${ADMIN_USAGE}`);
      return EXIT.usage;
    }
    io.out(ADMIN_USAGE);
    return EXIT.done;
  }
  if (name.startsWith('-')) {
    io.err(`txmq-broker admin: missing command (it comes first, its options after it: txmq-broker admin topics --endpoint HOST:PORT)\n${ADMIN_USAGE}`);
    return EXIT.usage;
  }
  if (name === 'tx') return runTransactionCommand(rest, io, ADMIN_TX_COMMAND);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`txmq-broker admin: unknown command ${JSON.stringify(name)}\n${ADMIN_USAGE}`);
    return EXIT.usage;
  }
  return runAdminCommand(command, rest, io);
}
