import type { WireBodyOptions } from '../client/admin-proto.js';
import { invalidArgument } from './unary.js';

/** Body bytes of each message an answer carries unless asked otherwise. */
export const DEFAULT_PREVIEW_BYTES = 256;

/**
 * How much of each message body one answer carries: a preview of each (the first `preview_bytes`),
 * or with `full_body` whole bodies; in both cases only as much as keeps the answer within the
 * broker's frame limit, so a body that does not fit comes cut, and is marked as such.
 */
export interface BodyBudget {
  /** The part of `body` this answer carries; `overhead` is what the rest of its message takes. */
  take(body: Buffer, overhead: number): Buffer;
}

/** A budget of at most `frameBytes` for one answer. */
export function bodyBudget(options: WireBodyOptions | null | undefined, frameBytes: number): BodyBudget {
  const previewBytes = options?.previewBytes ?? 0;
  if (!Number.isInteger(previewBytes) || previewBytes < 0) throw invalidArgument(`body.preview_bytes must be a whole number, got ${previewBytes}`);
  const wanted = options?.fullBody ? Number.POSITIVE_INFINITY : previewBytes || DEFAULT_PREVIEW_BYTES;
  // Room for the response's own framing.
  let remaining = frameBytes - 64 * 1024;
  return {
    take(body, overhead) {
      remaining -= overhead;
      const length = Math.max(0, Math.min(body.length, wanted, remaining));
      remaining -= length;
      return body.subarray(0, length);
    },
  };
}
