import { BrokerError } from '../../errors.js';
import type { SendMessageResponse, SendResultEntry } from '../../wire/types.js';
import { isSuccess, refusalOf } from '../session/status.js';
import type { SendResult } from '../types.js';

/** What one message of a SendMessageRequest came to. */
export type SendOutcome = { readonly ok: true; readonly result: SendResult } | { readonly ok: false; readonly error: BrokerError };

/**
 * The outcome of each of the messages `ids` (the client's own ids, in request order) that the
 * broker at `endpoint` answered with `response`. Two answers are expected:
 * - one entry per message (txmq, a proxy with per-message receipts): each entry is its message's,
 *   matched by message id when every entry carries one of the request's ids, else by position;
 * - one entry for the whole request (every released RocketMQ 5 proxy: it stores the batch as one
 *   unit): its status applies to every message, which keeps its own id and gets the entry's
 *   offset + its index (the batch's messages are consecutive in one queue).
 * Any other count is read like the second, with the first failed entry (else the first) speaking
 * for all. No entries at all: the top-level status decides, and OK without entries is an error.
 */
export function sendOutcomes(response: SendMessageResponse, ids: readonly string[], endpoint: string): SendOutcome[] {
  const entries = response.entries ?? [];
  if (entries.length === 0) {
    const error = refusalOf(response.status, endpoint, [], 'the send')
      ?? new BrokerError('INTERNAL_ERROR', `the broker at ${endpoint} answered a SendMessage of ${ids.length} message(s) with no result entry`);
    return ids.map(() => ({ ok: false, error }));
  }
  if (entries.length === ids.length) {
    const byId = new Map(entries.map((entry) => [entry.messageId ?? '', entry]));
    if (byId.size === ids.length && ids.every((id) => byId.has(id))) {
      return ids.map((id) => outcomeOf(byId.get(id)!, response, endpoint, id, 0, false));
    }
    return entries.map((entry, i) => outcomeOf(entry, response, endpoint, entry.messageId || ids[i]!, 0, false));
  }
  const shared = entries.find((entry) => !isSuccess(entry.status)) ?? entries[0]!;
  return ids.map((id, i) => outcomeOf(shared, response, endpoint, id, i, true));
}

/** `shared`: the entry answers for several messages, so its ids and recall handle are not this message's. */
function outcomeOf(entry: SendResultEntry, response: SendMessageResponse, endpoint: string, messageId: string, index: number, shared: boolean): SendOutcome {
  const error = refusalOf(entry.status ?? response.status, endpoint, [], 'the send');
  if (error) return { ok: false, error };
  return {
    ok: true,
    result: {
      messageId,
      transactionId: (!shared && entry.transactionId) || messageId,
      offset: Number(entry.offset ?? 0) + index,
      ...(!shared && entry.recallHandle ? { recallHandle: entry.recallHandle } : {}),
    },
  };
}
