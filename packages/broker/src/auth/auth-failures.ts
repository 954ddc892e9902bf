import type { AuthenticationError, AuthenticationFailure } from '../errors.js';
import { authFailureLogFields } from './redact.js';

/** What {@link AuthFailures} logs to (pino's `warn` shape). */
export interface WarnLog {
  warn(fields: object, message: string): void;
}

/** Where a refused attempt came from, for its log line. */
export interface FailureSource {
  /** `grpc` (the RocketMQ services), `admin` (txmq's admin services on that port) or `http` (console, `/metrics`). */
  readonly surface: string;
  /** The RPC or the HTTP path. */
  readonly operation: string;
  /** The caller's address, as the transport reports it. */
  readonly peer?: string | undefined;
}

/** Called with every refused attempt (after it was counted). */
export type FailureListener = (reason: AuthenticationFailure, source: FailureSource) => void;

/** Tuning of {@link AuthFailures}: the clock, and how much a flood of refusals may log. */
export interface AuthFailuresOptions {
  readonly now?: () => number;
  /** One line per access key and reason per window (default 10 s)... */
  readonly windowMs?: number;
  /** ...and at most this many lines per window in all (default 20): callers choose access keys. */
  readonly maxLinesPerWindow?: number;
}

interface Entry {
  loggedAt: number;
  suppressed: number;
}

/** Past this many remembered (access key, reason) pairs, those older than a window are forgotten. */
const SWEEP_AT = 1000;

/**
 * Counts and logs refused authentication attempts. Every refusal is counted in {@link counts}
 * (by reason: the access key comes from the caller, so it is no bounded metric label) and told to
 * the {@link onFailure} listeners; it is logged at warn with the reason and the access key, never
 * the signature or the secret, at most once per access key and reason per window, the next line
 * saying how many were left out (`repeated`), and at most `maxLinesPerWindow` lines per window.
 */
export class AuthFailures {
  readonly #log: WarnLog;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #maxLines: number;
  readonly #counts = new Map<AuthenticationFailure, number>();
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<FailureListener>();
  #windowStart = -Infinity;
  #linesInWindow = 0;
  #droppedInWindow = 0;

  constructor(log: WarnLog, options: AuthFailuresOptions = {}) {
    this.#log = log;
    this.#now = options.now ?? Date.now;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#maxLines = options.maxLinesPerWindow ?? 20;
  }

  /** Refused attempts since the broker started, by reason. */
  get counts(): ReadonlyMap<AuthenticationFailure, number> {
    return this.#counts;
  }

  /** Calls `listener` on every refused attempt from now on; returns the function that stops it. */
  onFailure(listener: FailureListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Counts and (rate-limited) logs the refusal `error` of a call with the `authorization` header. */
  report(error: AuthenticationError, authorization: string | undefined, source: FailureSource): void {
    this.#counts.set(error.reason, (this.#counts.get(error.reason) ?? 0) + 1);
    for (const listener of this.#listeners) listener(error.reason, source);
    const now = this.#now();
    const fields = authFailureLogFields(error, authorization);
    const key = `${fields.accessKey ?? ''}\u0000${fields.reason}`;
    const entry = this.#entries.get(key);
    if (entry && now - entry.loggedAt < this.#windowMs) {
      entry.suppressed += 1;
      return;
    }
    if (now - this.#windowStart >= this.#windowMs) this.#newWindow(now);
    if (this.#linesInWindow >= this.#maxLines) {
      this.#droppedInWindow += 1;
      return;
    }
    this.#linesInWindow += 1;
    if (this.#entries.size >= SWEEP_AT) this.#sweep(now);
    this.#entries.set(key, { loggedAt: now, suppressed: 0 });
    const repeated = entry?.suppressed ?? 0;
    this.#log.warn(
      { ...fields, surface: source.surface, operation: source.operation, ...(source.peer && { peer: source.peer }), ...(repeated > 0 && { repeated }) },
      'authentication refused',
    );
  }

  #newWindow(now: number): void {
    if (this.#droppedInWindow > 0) {
      this.#log.warn({ dropped: this.#droppedInWindow, windowMs: this.#windowMs }, 'more authentication refusals than are logged per window');
    }
    this.#windowStart = now;
    this.#linesInWindow = 0;
    this.#droppedInWindow = 0;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) if (now - entry.loggedAt >= this.#windowMs) this.#entries.delete(key);
  }
}
