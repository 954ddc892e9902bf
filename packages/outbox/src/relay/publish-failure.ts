import { PublishError } from '../errors.js';
import type { PublishableMessage } from '../publisher/publisher.js';

/** Why the latest failed publish of a relay failed, as `relay.stats().lastPublishFailure` shows it. */
export interface PublishFailure {
  /** The outbox row id. */
  readonly id: string;
  readonly messageId: string;
  readonly topic: string;
  /** Which attempt failed (1 for the first). */
  readonly attempt: number;
  /** The publisher's error message. */
  readonly error: string;
  /** The transport's name for the failure (e.g. `ILLEGAL_MESSAGE_TAG`, `BROKER_UNREACHABLE`), if known. */
  readonly code: string | undefined;
  /** The broker's numeric status, when it answered with one. */
  readonly status: number | undefined;
  /** Whether the row was parked (it is retried otherwise). */
  readonly parked: boolean;
  readonly at: Date;
}

/**
 * What the relay knows about a failed publish: a {@link PublishError} (a custom publisher's plain
 * error is wrapped, retryable), the text stored on the row, and the code and status stored beside it.
 */
export function publishFailure(
  error: unknown,
  row: PublishableMessage,
): { readonly error: PublishError; readonly text: string; readonly code: string | undefined; readonly status: number | undefined } {
  const message = error instanceof Error ? error.message : String(error);
  const publishError =
    error instanceof PublishError
      ? error
      : new PublishError(`publishing outbox message ${row.messageId} to topic ${row.topic} failed: ${message}`, {
          cause: error,
          retryable: true,
          ...codeOf(error),
        });
  return {
    error: publishError,
    text: `attempt ${row.attempt}: ${message}`.slice(0, 2_000),
    code: publishError.transportCode,
    status: publishError.status,
  };
}

/** A string `code` a plain error carries (e.g. Node's `ECONNRESET`). */
function codeOf(error: unknown): { transportCode?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { transportCode: code } : {};
}
