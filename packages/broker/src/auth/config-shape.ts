import { ConfigError } from '../errors.js';

/** `value` as a plain object, or a ConfigError naming `where`. */
export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${where} must be an object`, { option: where, problem: 'must be an object' });
  }
  return value as Record<string, unknown>;
}

/** Refuses keys of `o` outside `allowed`, naming the first unknown one. */
export function onlyKeys(o: Record<string, unknown>, where: string, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(`unknown key "${where}.${key}" in broker config (allowed: ${allowed.join(', ')})`, {
        option: `${where}.${key}`,
        problem: 'is not a known key',
      });
    }
  }
}

/**
 * A ConfigError for the option `where`: `WHERE PROBLEM`, or `WHERE (user USER) PROBLEM` when the
 * option belongs to a user, so the operator finds the entry.
 */
export function invalid(where: string, problem: string, user?: string, options?: ErrorOptions): ConfigError {
  return new ConfigError(`${where}${user === undefined ? '' : ` (user ${user})`} ${problem}`, { ...options, option: where, problem });
}

/** `value` as a non-empty string, or a ConfigError naming `where`. */
export function nonEmptyString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(where, 'must be a non-empty string');
  return value;
}
