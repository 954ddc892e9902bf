import { ConfigError } from '../errors.js';
import { checkGroupName, checkTopicName } from '../rules/index.js';
import { describe } from '../rules/names.js';
import { isIpv6Endpoint, parseEndpoint } from './endpoint.js';
import { checkSecurityOptions } from './security-options.js';
import type { ClientOptions } from './types.js';

/** Throws {@link ConfigError} naming the option of `client` (e.g. `producer`) that is invalid. */
export function checkClientOptions(client: string, options: ClientOptions): void {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${client} options must be an object, got ${describe(options)}`);
  const bad = (name: string, problem: string, value: unknown) => ConfigError.forOption(client, name, `${problem}, got ${describe(value)}`);
  if (typeof options.endpoints !== 'string' || options.endpoints.trim() === '') {
    throw bad('endpoints', 'must be a non-empty "host:port" string', options.endpoints);
  }
  // The official client reads a malformed address as port 80 (`localhost` is `localhost:80`).
  if (isIpv6Endpoint(parseEndpoint(options.endpoints, 'endpoints', client))) {
    throw bad('endpoints', 'must name the host by a name or an IPv4 address (the RocketMQ client cannot use an IPv6 address)', options.endpoints);
  }
  if (options.namespace !== undefined && typeof options.namespace !== 'string') throw bad('namespace', 'must be a string', options.namespace);
  if (options.requestTimeoutMs !== undefined && !(Number.isFinite(options.requestTimeoutMs) && options.requestTimeoutMs >= 1000)) {
    throw bad('requestTimeoutMs', 'must be a number of milliseconds >= 1000', options.requestTimeoutMs);
  }
  checkPositive(client, 'startupTimeoutMs', options.startupTimeoutMs);
  checkSecurityOptions(client, options);
  const logger = options.logger;
  if (logger !== undefined && !(logger && ['info', 'warn', 'error'].every((m) => typeof (logger as unknown as Record<string, unknown>)[m] === 'function'))) {
    throw bad('logger', 'must have info, warn and error methods', logger);
  }
}

/** Throws {@link ConfigError} unless `value` is undefined or a positive finite number. */
export function checkPositive(client: string, name: string, value: unknown, integer = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw ConfigError.forOption(client, name, `must be a positive ${integer ? 'integer' : 'number'}, got ${describe(value)}`);
  }
}

/** Throws {@link ConfigError} unless `group` and every topic of `subscriptions` are legal names. */
export function checkSubscriptionOptions(client: string, group: unknown, subscriptions: unknown): void {
  const groupViolation = checkGroupName(group);
  if (groupViolation) throw ConfigError.forOption(client, 'group', groupViolation.problem);
  if (subscriptions === null || typeof subscriptions !== 'object' || Object.keys(subscriptions).length === 0) {
    throw ConfigError.forOption(client, 'subscriptions', `must map at least one topic to a tag expression or { sql }, got ${describe(subscriptions)}`);
  }
  for (const [topic, expression] of Object.entries(subscriptions)) {
    const violation = checkTopicName(topic);
    if (violation) throw ConfigError.forOption(client, 'subscriptions', `topic ${violation.problem}`);
    if (!isSubscriptionExpression(expression)) {
      throw ConfigError.forOption(client, `subscriptions.${topic}`, `must be a tag expression such as "*" or "a || b", or { sql: "a > 1" }, got ${describe(expression)}`);
    }
  }
}

/** A non-blank tag expression, or `{ sql }` with a non-blank SQL92 expression (and nothing else). */
function isSubscriptionExpression(expression: unknown): boolean {
  if (typeof expression === 'string') return expression.trim() !== '';
  if (expression === null || typeof expression !== 'object' || Array.isArray(expression)) return false;
  const { sql, ...rest } = expression as { sql?: unknown };
  return typeof sql === 'string' && sql.trim() !== '' && Object.keys(rest).length === 0;
}
