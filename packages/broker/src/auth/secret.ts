import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A user's secret. It keeps the value out of every way an object reaches a log: JSON
 * (`JSON.stringify`, pino), `util.inspect` (console, node:test diffs), string conversion.
 * Only {@link reveal} returns it, for signing.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself: for computing signatures only, never for messages or logs. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
