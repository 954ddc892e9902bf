import { createTransactionAdmin, type TransactionInfo } from '../client/admin-client.js';
import type { SecurityOptions } from '../client/security-options.js';
import { ConfigError, isBrokerError } from '../errors.js';
import { escapeForTerminal } from '../rules/body-text.js';
import { connectionOf, inOptionTerms, type Connection } from './admin/command.js';
import { printTable } from './admin/output.js';
import { CONSOLE_IO, type CommandIo } from './io.js';
import { parseCommandLine } from './parse-args.js';
import { refusalHint, secretFlagProblem, securityOptionsOf, SECURITY_OPTIONS, SECURITY_USAGE } from './security-flags.js';

/** How the command is spelled and prints `--json`. */
export interface TransactionCommandVariant {
  readonly program: string;
  /**
   * One JSON document on stdout (`{ items }` for list, the result of commit and rollback, `{ error }`
   * on failure), as every `txmq-broker admin` command; false for `txmq-broker tx`, whose `list --json`
   * prints one JSON object per line, as it always did.
   */
  readonly jsonDocument: boolean;
}

/** `txmq-broker tx`, the first spelling. */
export const TX_COMMAND: TransactionCommandVariant = { program: 'txmq-broker tx', jsonDocument: false };
/** `txmq-broker admin tx`. */
export const ADMIN_TX_COMMAND: TransactionCommandVariant = { program: 'txmq-broker admin tx', jsonDocument: true };

/** The usage text of `variant`. */
export function txUsage(variant: TransactionCommandVariant = TX_COMMAND): string {
  const { program } = variant;
  return `usage:
  ${program} list [--parked] [--topic TOPIC] [--json] [--endpoint HOST:PORT]
  ${program} commit <transactionId> [--endpoint HOST:PORT]
  ${program} rollback <transactionId> [--endpoint HOST:PORT]
Talks to a RUNNING broker through its admin API (txmq.admin.v1.TransactionAdmin, on the broker's gRPC port).
Options:
  --endpoint    the broker's HOST:PORT, or a PORT on this machine (default 127.0.0.1:8081)
  --parked      list only transactions parked after the maximum number of check-backs
  --topic       list only transactions of this topic
  --json        ${variant.jsonDocument ? 'print one JSON document on stdout (list: { "items": [...] })' : 'one JSON object per line instead of a table'}
  --timeout-ms  deadline of the call (default 10000; connecting waits at most 3000 of it)
${SECURITY_USAGE}`;
}

export const TX_USAGE = txUsage(TX_COMMAND);

/**
 * `txmq-broker tx list|commit|rollback`: operator access to unsettled (and parked) transactions
 * of a running broker, through its admin gRPC service. The broker keeps half messages in memory
 * and serializes every settlement, so changes go through it rather than around it: writing the
 * data directory directly would not be seen by a running broker, which could then settle the
 * same transaction a second time.
 *
 * Under the broker's `acl` the user (`--access-key`, the secret from `TXMQ_ACCESS_SECRET` or
 * `--secret-file`) needs the admin right.
 *
 * @returns the process exit code: 0 done, 1 refused or broker unreachable, 2 usage error.
 */
export async function runTransactionCommand(argv: string[], io: CommandIo = CONSOLE_IO, variant: TransactionCommandVariant = TX_COMMAND): Promise<number> {
  const { program } = variant;
  const usageText = txUsage(variant);
  if (argv.includes('--data-dir') || argv.includes('--offline') || argv.some((a) => a.startsWith('--data-dir='))) {
    io.err(
      `${program}: --data-dir is not supported: the tx command works against a running broker (--endpoint HOST:PORT),\n` +
        'because a running broker keeps half messages in memory and would not see a change made to its data directory.\n' +
        'To resolve transactions of a stopped broker, start it on that directory (txmq-broker --data-dir DIR) and use --endpoint.',
    );
    return 2;
  }
  const usage = (why: string) => {
    io.err(`${program}: ${why}\n${usageText}`);
    return 2;
  };
  const secretFlag = secretFlagProblem(argv);
  if (secretFlag) return usage(secretFlag);
  let parsed;
  let security: SecurityOptions;
  try {
    parsed = parseCommandLine({
      args: argv,
      allowPositionals: true,
      options: {
        ...SECURITY_OPTIONS,
        endpoint: { type: 'string', default: '127.0.0.1:8081' },
        parked: { type: 'boolean', default: false },
        topic: { type: 'string' },
        json: { type: 'boolean', default: false },
        'timeout-ms': { type: 'string', default: '10000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    security = parsed.values.help ? {} : securityOptionsOf(parsed.values, io.env ?? process.env);
  } catch (error) {
    if (error instanceof ConfigError) return usage(error.message);
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(usageText);
    return 0;
  }
  let connection: Connection;
  try {
    connection = connectionOf(values);
  } catch (error) {
    if (error instanceof ConfigError) return usage(error.message);
    throw error;
  }
  const [action, transactionId, ...extra] = positionals;
  if (action === 'list') {
    if (transactionId !== undefined) return usage('list takes no arguments');
  } else if (action === 'commit' || action === 'rollback') {
    if (!transactionId || extra.length > 0) return usage(`${action} takes exactly one transaction id`);
  } else {
    return usage(action === undefined ? 'missing action' : `unknown action ${JSON.stringify(action)}`);
  }

  const admin = createTransactionAdmin({ ...connection, ...security });
  try {
    if (action === 'list') {
      const transactions = await admin.list({ parkedOnly: values.parked, ...(values.topic !== undefined && { topic: values.topic }) });
      if (values.json && variant.jsonDocument) io.out(JSON.stringify({ items: transactions.map(toJson) }, null, 2));
      else if (values.json) for (const tx of transactions) io.out(JSON.stringify(toJson(tx)));
      else printTransactions(transactions, io);
      return 0;
    }
    const result = action === 'commit' ? await admin.commit(transactionId!) : await admin.rollback(transactionId!);
    const done = action === 'commit' ? 'committed' : 'rolled back';
    if (values.json && variant.jsonDocument) {
      io.out(JSON.stringify({ transactionId, resolution: result.resolution, changed: result.changed }, null, 2));
      return 0;
    }
    io.out(escapeForTerminal(result.changed ? `transaction ${transactionId} ${done}` : `transaction ${transactionId} was already ${done}; nothing changed`));
    return 0;
  } catch (thrown) {
    const error = isBrokerError(thrown) ? inOptionTerms(thrown, connection.endpoints) : thrown;
    if (values.json && variant.jsonDocument && isBrokerError(error)) io.out(JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2));
    if (isBrokerError(error)) {
      const hint = refusalHint(error, security);
      io.err(`${program} ${action}: ${escapeForTerminal(error.message)}${hint ? `\n(${hint})` : ''}`);
    } else {
      io.err(`${program} ${action}: ${(error as Error)?.message ?? String(error)}`);
    }
    return 1;
  } finally {
    admin.close();
  }
}

function toJson(tx: TransactionInfo) {
  return {
    transactionId: tx.transactionId,
    topic: tx.topic,
    messageId: tx.messageId,
    tag: tx.tag ?? null,
    keys: tx.keys,
    producerClientId: tx.producerClientId,
    createdAt: tx.createdAt.toISOString(),
    checks: tx.checks,
    parked: tx.parked,
    nextCheckAt: tx.parked ? null : tx.nextCheckAt.toISOString(),
    bodySize: tx.bodySize,
  };
}

function printTransactions(transactions: readonly TransactionInfo[], io: CommandIo): void {
  if (transactions.length === 0) {
    io.out('no unsettled transactions');
    return;
  }
  printTable(
    io,
    ['TRANSACTION ID', 'TOPIC', 'STATE', 'CHECKS', 'CREATED', 'NEXT CHECK'],
    transactions.map((tx) => [
      tx.transactionId,
      tx.topic,
      tx.parked ? 'parked' : 'pending',
      String(tx.checks),
      tx.createdAt.toISOString(),
      tx.parked ? '-' : tx.nextCheckAt.toISOString(),
    ]),
  );
}
