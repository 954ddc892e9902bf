import type { WireBodyOptions } from '../client/admin-proto.js';
import { invalidArgument } from './unary.js';

/** Body bytes of each message an answer carries unless asked otherwise. */
export const DEFAULT_PREVIEW_BYTES = 256;

/** Room left in every answer for its own framing. */
const FRAMING_BYTES = 64 * 1024;

/**
 * How much of each message body one answer carries: a preview of each (the first `preview_bytes`),
 * or with `full_body` whole bodies; in all cases only as much as keeps the answer within the
 * broker's frame limit.
 */
export interface BodyBudget {
  /**
   * The part of `body` this answer carries (`overhead` is what the rest of its message takes), or
   * undefined when the message should rather start the next page: on a paged answer, when it is
   * not the first and it does not fit whole (the wanted part of its body included). The first
   * message of an answer, and every message of an unpaged one, comes with its body cut to fit.
   */
  take(body: Buffer, overhead: number): Buffer | undefined;
}

/** A budget of at most `frameBytes` for one answer; `paged` when the answer can end early with a next-page token. */
export function bodyBudget(options: WireBodyOptions | null | undefined, frameBytes: number, paged: boolean): BodyBudget {
  const previewBytes = options?.previewBytes ?? 0;
  if (!Number.isInteger(previewBytes) || previewBytes < 0) throw invalidArgument(`body.preview_bytes must be a whole number, got ${previewBytes}`);
  const wanted = options?.fullBody ? Number.POSITIVE_INFINITY : previewBytes || DEFAULT_PREVIEW_BYTES;
  let remaining = frameBytes - FRAMING_BYTES;
  let taken = 0;
  return {
    take(body, overhead) {
      const length = Math.min(body.length, wanted);
      if (paged && taken > 0 && overhead + length > remaining) return undefined;
      taken += 1;
      remaining -= overhead;
      const shown = Math.max(0, Math.min(length, remaining));
      remaining -= shown;
      return body.subarray(0, shown);
    },
  };
}
