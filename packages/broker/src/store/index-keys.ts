import { createHash } from 'node:crypto';
import type { StoredTraceEvent } from './records.js';

/** Longer strings are indexed by their hash: LMDB keys are limited in size. */
const MAX_INDEXED_CHARS = 256;

/**
 * The form a message id or key takes inside an index key. Lookups apply the same mapping, and a
 * reader checks the record itself, so a (practically impossible) hash collision finds nothing wrong.
 */
export function indexComponent(value: string): string {
  return value.length <= MAX_INDEXED_CHARS ? value : `#sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** One commit's trace events grouped by message, each group in `seq` order. */
export function traceByMessage(events: readonly StoredTraceEvent[]): Map<string, StoredTraceEvent[]> {
  const byMessage = new Map<string, StoredTraceEvent[]>();
  for (const event of events) {
    const list = byMessage.get(event.messageId);
    if (list) list.push(event);
    else byMessage.set(event.messageId, [event]);
  }
  for (const list of byMessage.values()) if (!inSeqOrder(list)) list.sort((a, b) => a.seq - b.seq);
  return byMessage;
}

/** Whether `list` is in `seq` order already (as the trace writer hands events over): no sort then. */
function inSeqOrder(list: readonly StoredTraceEvent[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1]!.seq > list[i]!.seq) return false;
  return true;
}
