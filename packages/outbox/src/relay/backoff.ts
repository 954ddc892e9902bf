/** Retry timing of a row whose publish failed. */
export interface BackoffOptions {
  /** Delay after the first failure (default 1,000 ms). */
  readonly initialMs?: number;
  /** Upper bound of the delay (default 60,000 ms). */
  readonly maxMs?: number;
  /** Growth per failed attempt (default 2). */
  readonly factor?: number;
}

/** Exponential backoff with "equal jitter": between half and all of the nominal delay. */
export function backoffDelay(options: Required<BackoffOptions>, attempt: number, random = Math.random): number {
  const nominal = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + (nominal / 2) * random());
}
