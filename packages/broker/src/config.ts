import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ResolvedAcl } from './auth/acl.js';
import { resolveAcl, type AclConfig } from './auth/acl-config.js';
import { resolveTls, type ResolvedTls, type TlsConfig } from './auth/tls-config.js';
import { DEFAULT_MAX_DELIVERY_ATTEMPTS, DEFAULT_RETRY_BACKOFF, type BrokerSettings } from './core/settings.js';
import type { GroupSettings, RetryBackoff, TopicMessageType, TopicSettings, TransactionSettings } from './core/types.js';
import type { TraceSettings } from './core/trace/trace-settings.js';
import { ConfigError } from './errors.js';
import { DEFAULT_MAX_BODY_BYTES } from './rules/message-rules.js';

/** Topic declaration in the config file. */
export interface TopicConfig {
  /** Message queues the topic reports in its route (1 to 64, default 1). */
  queues?: number;
  /** The message type the topic accepts (default NORMAL; MIXED accepts every type). */
  messageType?: TopicMessageType;
}

/** Consumer-group declaration in the config file. */
export interface GroupConfig {
  /** Deliver the messages of one message group one at a time, in send order (default false). */
  fifo?: boolean;
  /** Give every consumer of the group every message instead of sharing them (default false). */
  broadcast?: boolean;
  /** Deliveries before a message moves to `%DLQ%<group>` (1 to 1000, default 17). */
  maxDeliveryAttempts?: number;
  /** The shortest waits between redeliveries (default 1 s doubling up to 60 s). */
  retryBackoff?: Partial<RetryBackoff>;
}

/** The broker's JSON configuration (`--config file.json`); every key is optional. */
export interface BrokerConfig {
  /** Declared topics by name. */
  topics?: Record<string, TopicConfig>;
  /** Declared consumer groups by name. */
  groups?: Record<string, GroupConfig>;
  /** The transaction check-back schedule (default: first check after 6 s, then every 30 s, 15 checks). */
  transaction?: Partial<TransactionSettings>;
  /** Create an undeclared topic on first use (default true); when off, it is TOPIC_NOT_FOUND. */
  autoCreateTopics?: boolean;
  /** Create an undeclared consumer group on first use (default true); when off, it is CONSUMER_GROUP_NOT_FOUND. */
  autoCreateGroups?: boolean;
  /**
   * Largest accepted message body in bytes (default and maximum 4 MiB): RocketMQ's clients receive
   * at most 4 MiB per gRPC message, so a larger body could be sent but never consumed.
   */
  maxBodyBytes?: number;
  /** How long messages stay in a topic's log (default 72 h, as RocketMQ). */
  retentionHours?: number;
  /** Smallest invisible duration a receive may ask for (default 1000 ms). */
  minInvisibleMs?: number;
  /**
   * Long-polling time the broker tells push consumers to use (default 5000 ms). A push consumer's
   * shutdown waits for its open long poll, so this bounds how long a graceful stop takes.
   */
  pushLongPollingMs?: number;
  /**
   * How long a push consumer whose connection closed may take to come back (default 10 000 ms,
   * the official clients' heartbeat period) before the messages it was handling are delivered to
   * the rest of its group. A consumer that reconnects in time keeps them; a shorter grace
   * recovers from a crashed consumer sooner but turns longer network blips into duplicate
   * deliveries.
   */
  reconnectGraceMs?: number;
  /**
   * Users and their rights. Without it the broker is open (anyone who reaches the port may do
   * anything); with it every call is authenticated (RocketMQ 5 access keys) and checked.
   */
  acl?: AclConfig;
  /** The certificate and key the gRPC port serves TLS with (plaintext without it). */
  tls?: TlsConfig;
  /** Durable message traces (`txmq-broker admin trace ID`). */
  trace?: TraceConfig;
}

/**
 * How message traces are recorded. The recorded trace is best effort: events are written in the
 * background (about every 10 ms, sharing the store's flushes), so the last ~10 ms may be missing
 * after a crash; while the store refuses writes they wait in a bounded buffer (200,000 events),
 * are retried with backoff (1 s doubling to 30 s), and beyond the bound the oldest are dropped,
 * logged and counted (`BrokerCore.traceEventsDropped()`). A message's send and store are read off
 * the stored message and never missing.
 */
export interface TraceConfig {
  /** Record each message's deliveries, acknowledgements, retries, dead-lettering and transaction steps durably (default true). */
  enabled?: boolean;
  /** How long recorded trace events are kept (default: `retentionHours`; 0 keeps them). */
  retentionHours?: number;
  /** Trace only these topics' messages (default: every topic). */
  topics?: string[];
}

/** A fully defaulted, validated configuration: what {@link resolveConfig} returns. */
export type ResolvedConfig = BrokerSettings & {
  /** Who may call, and what they may do; undefined: an open broker. */
  readonly acl?: ResolvedAcl | undefined;
  /** The TLS identity of the gRPC port; undefined: plaintext. */
  readonly tls?: ResolvedTls | undefined;
};

/** Where {@link resolveConfig} finds what the config points to. */
export interface ResolveConfigOptions {
  /** The folder relative `secretFile`, `certFile` and `keyFile` paths start from (default the working directory). */
  readonly baseDir?: string;
  /** The environment `secretEnv` names are looked up in (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const TOPIC_TYPES: readonly TopicMessageType[] = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'MIXED'];

/** Reads and validates a JSON config file. */
export async function loadConfigFile(path: string): Promise<ResolvedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return resolveConfig(json, { baseDir: dirname(path) });
}

/** Validates a config object (unknown keys are errors that name the key) and fills in defaults. */
export function resolveConfig(input: unknown = {}, options: ResolveConfigOptions = {}): ResolvedConfig {
  const root = asObject(input, 'config');
  onlyKeys(root, 'config', [
    'topics', 'groups', 'transaction', 'autoCreateTopics', 'autoCreateGroups',
    'maxBodyBytes', 'retentionHours', 'minInvisibleMs', 'pushLongPollingMs', 'reconnectGraceMs', 'trace',
    'acl', 'tls',
  ]);
  const acl = resolveAcl(root.acl, options);
  const tls = resolveTls(root.tls, options);
  const topics = new Map<string, TopicSettings>();
  for (const [name, raw] of Object.entries(asObject(root.topics ?? {}, 'topics'))) {
    topics.set(name, topicSettings(name, raw));
  }
  const groups = new Map<string, GroupSettings>();
  for (const [name, raw] of Object.entries(asObject(root.groups ?? {}, 'groups'))) {
    groups.set(name, groupSettings(name, raw));
  }
  const tx = asObject(root.transaction ?? {}, 'transaction');
  onlyKeys(tx, 'transaction', ['checkImmunityMs', 'checkIntervalMs', 'maxChecks']);
  const retentionMs = num(root.retentionHours, 'retentionHours', 72, 0) * 3_600_000;
  return {
    topics,
    groups,
    transaction: {
      checkImmunityMs: int(tx.checkImmunityMs, 'transaction.checkImmunityMs', 6000, 0),
      checkIntervalMs: int(tx.checkIntervalMs, 'transaction.checkIntervalMs', 30_000, 100),
      maxChecks: int(tx.maxChecks, 'transaction.maxChecks', 15, 1),
    },
    autoCreateTopics: bool(root.autoCreateTopics, 'autoCreateTopics', true),
    autoCreateGroups: bool(root.autoCreateGroups, 'autoCreateGroups', true),
    maxBodyBytes: maxBodyBytes(root.maxBodyBytes),
    retentionMs,
    minInvisibleMs: int(root.minInvisibleMs, 'minInvisibleMs', 1000, 0),
    pushLongPollingMs: int(root.pushLongPollingMs, 'pushLongPollingMs', 5000, 1000, 20_000),
    reconnectGraceMs: int(root.reconnectGraceMs, 'reconnectGraceMs', 10_000, 0, 120_000),
    ...(acl && { acl }),
    ...(tls && { tls }),
    trace: traceSettings(root.trace, retentionMs),
  };
}

function traceSettings(raw: unknown, retentionMs: number): TraceSettings {
  const o = asObject(raw ?? {}, 'trace');
  onlyKeys(o, 'trace', ['enabled', 'retentionHours', 'topics']);
  let topics: Set<string> | undefined;
  if (o.topics !== undefined) {
    if (!Array.isArray(o.topics) || o.topics.some((t) => typeof t !== 'string' || t === '')) {
      throw new ConfigError('trace.topics must be an array of topic names');
    }
    topics = new Set(o.topics as string[]);
  }
  return {
    enabled: bool(o.enabled, 'trace.enabled', true),
    retentionMs: o.retentionHours === undefined ? retentionMs : num(o.retentionHours, 'trace.retentionHours', 0, 0) * 3_600_000,
    ...(topics && { topics }),
  };
}

/**
 * The body limit may be lowered, not raised: RocketMQ's clients (the official Node client among
 * them) receive at most 4 MiB per gRPC message, so a broker with a higher limit would accept and
 * store messages that no consumer can ever take.
 */
function maxBodyBytes(value: unknown): number {
  const bytes = int(value, 'maxBodyBytes', DEFAULT_MAX_BODY_BYTES, 1);
  if (bytes > DEFAULT_MAX_BODY_BYTES) {
    throw new ConfigError(
      `maxBodyBytes must be at most ${DEFAULT_MAX_BODY_BYTES} (4 MiB), got ${bytes}: RocketMQ clients such as the official Node client receive at most 4 MiB per gRPC message, so a larger body would be accepted but could never be consumed`,
    );
  }
  return bytes;
}

function topicSettings(name: string, raw: unknown): TopicSettings {
  const where = `topics.${name}`;
  const o = asObject(raw, where);
  onlyKeys(o, where, ['queues', 'messageType']);
  const messageType = o.messageType ?? 'NORMAL';
  if (!TOPIC_TYPES.includes(messageType as TopicMessageType)) {
    throw new ConfigError(`${where}.messageType must be one of ${TOPIC_TYPES.join(', ')}, got ${JSON.stringify(messageType)}`);
  }
  return { name, queues: int(o.queues, `${where}.queues`, 1, 1, 64), messageType: messageType as TopicMessageType };
}

function groupSettings(name: string, raw: unknown): GroupSettings {
  const where = `groups.${name}`;
  const o = asObject(raw, where);
  onlyKeys(o, where, ['fifo', 'broadcast', 'maxDeliveryAttempts', 'retryBackoff']);
  const b = asObject(o.retryBackoff ?? {}, `${where}.retryBackoff`);
  onlyKeys(b, `${where}.retryBackoff`, ['initialMs', 'maxMs', 'multiplier']);
  return {
    name,
    fifo: bool(o.fifo, `${where}.fifo`, false),
    broadcast: bool(o.broadcast, `${where}.broadcast`, false),
    maxDeliveryAttempts: int(o.maxDeliveryAttempts, `${where}.maxDeliveryAttempts`, DEFAULT_MAX_DELIVERY_ATTEMPTS, 1, 1000),
    retryBackoff: {
      initialMs: int(b.initialMs, `${where}.retryBackoff.initialMs`, DEFAULT_RETRY_BACKOFF.initialMs, 0),
      maxMs: int(b.maxMs, `${where}.retryBackoff.maxMs`, DEFAULT_RETRY_BACKOFF.maxMs, 0),
      multiplier: num(b.multiplier, `${where}.retryBackoff.multiplier`, DEFAULT_RETRY_BACKOFF.multiplier, 1),
    },
  };
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${where} must be an object`);
  }
  return value as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, where: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`unknown key "${where === 'config' ? key : `${where}.${key}`}" in broker config (allowed: ${allowed.join(', ')})`);
    }
  }
}

function bool(value: unknown, where: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`${where} must be true or false`);
  return value;
}

function num(value: unknown, where: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError(`${where} must be a number >= ${min}`);
  }
  return value;
}

function int(value: unknown, where: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${where} must be an integer from ${min} to ${max}`);
  }
  return value;
}
