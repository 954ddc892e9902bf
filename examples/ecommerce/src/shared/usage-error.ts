/** A bad command line or environment variable; the message names it. The process exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
