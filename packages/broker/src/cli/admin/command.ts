import type { ParseArgsConfig } from 'node:util';
import { ConnectTimeout } from '../../client/admin-channel.js';
import { createBrokerAdmin } from '../../client/broker-admin.js';
import type { AdminPageOptions, BrokerAdmin } from '../../client/admin-types.js';
import { parseEndpoint } from '../../client/endpoint.js';
import type { SecurityOptions } from '../../client/security-options.js';
import { BrokerUnreachableError, ConfigError, isBrokerError, type BrokerError } from '../../errors.js';
import { escapeForTerminal } from '../../rules/body-text.js';
import { ISO_TIME_EXAMPLE, parseIsoTime } from '../../rules/iso-time.js';
import type { CommandIo } from '../io.js';
import { parseCommandLine } from '../parse-args.js';
import { refusalHint, secretFlagProblem, securityOptionsOf, SECURITY_OPTIONS, SECURITY_USAGE } from '../security-flags.js';
import { printJson } from './output.js';

/** Exit codes of every `txmq-broker admin` command. */
export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

/** The options every admin command takes. */
export const COMMON_OPTIONS_USAGE = `Every command takes:
  --endpoint HOST:PORT  the broker's gRPC port, or a PORT on this machine (default 127.0.0.1:8081)
  --json                print one JSON document on stdout instead of tables
  --timeout-ms N        deadline of each call (default 10000; connecting waits at most 3000 of it)
  --help                this text
${SECURITY_USAGE}`;

/** A malformed command line: the usage follows the message, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

/** What a command's `run` gets. */
export interface AdminRun {
  readonly io: CommandIo;
  readonly json: boolean;
  readonly values: Values;
  readonly positionals: readonly string[];
  /** The client, connected on first use and closed after `run`. */
  readonly admin: () => BrokerAdmin;
}

/** One command family (`topics`, `groups`...): its options, usage, and what it does. */
export interface AdminCommand {
  readonly name: string;
  readonly usage: string;
  readonly options: Options;
  /** Returns the exit code (a lookup that found nothing returns 1); throws {@link UsageError} for a bad command line. */
  run(run: AdminRun): Promise<number>;
}

/**
 * Runs `command` with `argv` (what follows `txmq-broker admin NAME`): parses the common and the
 * command's options, and turns failures into exit codes: a broker error (not found, refused,
 * unreachable, timed out) prints its message on stderr (and `{ "error": { code, message } }` on
 * stdout with `--json`) and exits 1, with a hint for a refusal of the broker's acl or a TLS
 * mismatch; a usage error (a secret passed as an option included) prints the usage on stderr and exits 2.
 */
export async function runAdminCommand(command: AdminCommand, argv: string[], io: CommandIo): Promise<number> {
  const label = `txmq-broker admin ${command.name}`;
  const usage = (why: string) => {
    io.err(`${label}: ${why}\n${command.usage}\n${COMMON_OPTIONS_USAGE}`);
    return EXIT.usage;
  };
  const secretFlag = secretFlagProblem(argv);
  if (secretFlag) return usage(secretFlag);
  let values: Values;
  let positionals: string[];
  let security: SecurityOptions;
  try {
    ({ values, positionals } = parseCommandLine({
      args: argv,
      allowPositionals: true,
      options: {
        ...command.options,
        ...SECURITY_OPTIONS,
        endpoint: { type: 'string', default: '127.0.0.1:8081' },
        json: { type: 'boolean', default: false },
        'timeout-ms': { type: 'string', default: '10000' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }) as { values: Values; positionals: string[] });
    security = values.help ? {} : securityOptionsOf(values, io.env ?? process.env);
  } catch (error) {
    if (error instanceof ConfigError) return usage(error.message);
    throw error;
  }
  if (values.help) {
    io.out(`${command.usage}\n${COMMON_OPTIONS_USAGE}`);
    return EXIT.done;
  }
  const blank = blankArgument(values, positionals);
  if (blank) return usage(blank);
  let connection: Connection;
  try {
    connection = connectionOf(values);
  } catch (error) {
    if (error instanceof ConfigError) return usage(error.message);
    throw error;
  }
  const json = values.json === true;
  let client: BrokerAdmin | undefined;
  try {
    return await command.run({ io, json, values, positionals, admin: () => (client ??= createBrokerAdmin({ ...connection, ...security })) });
  } catch (thrown) {
    if (thrown instanceof UsageError) return usage(thrown.message);
    if (!isBrokerError(thrown)) throw thrown;
    const error = inOptionTerms(thrown, connection.endpoints);
    if (json) printJson(io, { error: { code: error.code, message: error.message } });
    const hint = refusalHint(error, security);
    io.err(`${label}: ${escapeForTerminal(error.message)}${hint ? `\n(${hint})` : ''}`);
    return EXIT.failed;
  } finally {
    await client?.close();
  }
}

/** What is wrong when an option's value or an argument is empty or only spaces (no name, id or time is), or undefined. */
function blankArgument(values: Values, positionals: readonly string[]): string | undefined {
  const option = Object.entries(values).find(([, value]) => typeof value === 'string' && value.trim() === '');
  if (option) return `--${option[0]} must not be empty`;
  const index = positionals.findIndex((p) => p.trim() === '');
  return index < 0 ? undefined : `argument ${index + 1} is empty`;
}

/** Connecting waits `--timeout-ms`, but at most this long: a broker that is down is reported quickly. */
const MAX_CONNECT_MS = 3000;

/** The client options `--endpoint` and `--timeout-ms` give. */
export interface Connection {
  readonly endpoints: string;
  readonly timeoutMs: number;
  readonly startupTimeoutMs: number;
}

/**
 * `--endpoint` and `--timeout-ms` as client options; connecting waits at most {@link MAX_CONNECT_MS}.
 * @throws ConfigError naming the option that is malformed.
 */
export function connectionOf(values: Readonly<Record<string, unknown>>): Connection {
  const endpoints = parseEndpoint(values.endpoint as string, '--endpoint');
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ConfigError(`--timeout-ms must be a positive integer, got ${String(values['timeout-ms'])}`);
  return { endpoints, timeoutMs, startupTimeoutMs: Math.min(timeoutMs, MAX_CONNECT_MS) };
}

/** `error`, but a connection that timed out says so in the command's options rather than the client's. */
export function inOptionTerms(error: BrokerError, endpoint: string): BrokerError {
  if (!(error instanceof BrokerUnreachableError && error.cause instanceof ConnectTimeout)) return error;
  return new BrokerUnreachableError(endpoint, `no connection within ${error.cause.waitedMs} ms (connecting waits --timeout-ms, at most ${MAX_CONNECT_MS} ms)`, { cause: error });
}

/** A whole number option in `[min, max]`, or undefined when not given. */
export function intOption(values: Values, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${String(text)}`);
  return value;
}

/** A number option greater than 0, or undefined when not given. */
export function positiveNumberOption(values: Values, name: string): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a number greater than 0, got ${String(text)}`);
  return value;
}

/** Throws a usage error when any of `names` was given: options that do not go with `what`. */
export function refuseOptions(values: Values, names: readonly string[], what: string): void {
  const given = names.filter((name) => values[name] !== undefined && values[name] !== false);
  if (given.length > 0) throw new UsageError(`${given.map((name) => `--${name}`).join(' and ')} ${given.length > 1 ? 'do' : 'does'} not go with ${what}`);
}

/** `--page-size` and `--page-token` of a listing command. */
export const PAGE_OPTIONS: Options = { 'page-size': { type: 'string' }, 'page-token': { type: 'string' } };

export const PAGE_USAGE = '  --page-size N         items per page, 1 to 1000 (default 50)\n  --page-token TOKEN    the next page (a table run prints it on stderr; --json has nextPageToken)';

export function pageOptions(values: Values): AdminPageOptions {
  const pageSize = intOption(values, 'page-size', 1, 1000);
  const pageToken = values['page-token'];
  return { ...(pageSize !== undefined && { pageSize }), ...(typeof pageToken === 'string' && { pageToken }) };
}

/**
 * The time `--name` gives, as ISO-8601 (see {@link parseIsoTime}): a date alone is local midnight,
 * a date and time without a zone local time; impossible dates and times before 1970 are refused.
 */
export function isoTimeOption(values: Values, name: string): Date | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const time = typeof text === 'string' ? parseIsoTime(text) : { problem: 'is not a string' };
  if ('problem' in time) {
    throw new UsageError(`--${name} must be an ISO-8601 time such as ${ISO_TIME_EXAMPLE} (without a zone: local time), got ${String(text)}, which ${time.problem}`);
  }
  return new Date(time.ms);
}

/** Throws a usage error unless `positionals` has exactly `count` items (`what` names them). */
export function expectPositionals(positionals: readonly string[], count: number, what: string): void {
  if (positionals.length !== count) throw new UsageError(positionals.length < count ? `missing ${what}` : `unexpected argument ${JSON.stringify(positionals[count])}`);
}
