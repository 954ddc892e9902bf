import type { MessageKind, MessageRecord, StoredTraceEvent } from '../../store/records.js';
import type { TraceEvent, TraceEventType } from '../views/index.js';

/**
 * Whether a message's `sent` and `stored` events can be read off its stored record (and so are
 * never recorded apart): a NORMAL or FIFO message stored as it was sent. Delay and half messages
 * are sent long before (or without ever) being stored, and a dead-letter copy is stored by the
 * broker, so theirs are recorded.
 */
export function isPlain(kind: MessageKind, deadLetter: unknown): boolean {
  return (kind === 'NORMAL' || kind === 'FIFO') && deadLetter === undefined;
}

/** When a producer sent a message: its born time, but never after the broker had it (clocks differ). */
export function sentAt(bornAt: number, receivedAt: number): number {
  return Math.min(bornAt, receivedAt);
}

/**
 * The events the retained copies of a message imply: `stored` for each plain copy, and `sent` once,
 * from the oldest plain copy (a copy an operator resent carries the same born time).
 */
export function derivedEvents(copies: readonly MessageRecord[]): TraceEvent[] {
  const plain = copies.filter((c) => isPlain(c.kind, c.deadLetter)).sort((a, b) => a.storedAt - b.storedAt);
  const first = plain[0];
  if (!first) return [];
  const events: TraceEvent[] = [
    { type: 'sent', at: sentAt(first.bornAt, first.storedAt), topic: first.topic, ...(first.producerClientId !== undefined && { clientId: first.producerClientId }) },
  ];
  for (const copy of plain) events.push({ type: 'stored', at: copy.storedAt, topic: copy.topic });
  return events;
}

/**
 * One message's life in time order: derived events first among those at the same ms (they come
 * first in a message's life), recorded ones in the order they happened (their `seq`).
 *
 * A derived event that was also recorded (same type, topic and time: the `stored` of a plain copy
 * an operator resent, recorded for its note) is shown once, as recorded; each recorded event
 * stands in for at most one derived one.
 */
export function mergeTrace(derived: readonly TraceEvent[], recorded: readonly StoredTraceEvent[]): TraceEvent[] {
  const bySeq = new Map<number, StoredTraceEvent>();
  for (const event of recorded) bySeq.set(event.seq, event);
  const alsoRecorded = new Map<string, number>();
  for (const event of bySeq.values()) {
    const key = sameness(event);
    alsoRecorded.set(key, (alsoRecorded.get(key) ?? 0) + 1);
  }
  const kept = derived.filter((event) => {
    const key = sameness(event);
    const times = alsoRecorded.get(key) ?? 0;
    if (times > 0) alsoRecorded.set(key, times - 1);
    return times === 0;
  });
  const ranked: { event: TraceEvent; rank: number }[] = kept.map((event, i) => ({ event, rank: i - kept.length }));
  for (const event of [...bySeq.values()].sort((a, b) => a.seq - b.seq)) ranked.push({ event: traceEvent(event), rank: event.seq });
  ranked.sort((a, b) => a.event.at - b.event.at || a.rank - b.rank);
  return ranked.map((r) => r.event);
}

function sameness(event: { readonly type: string; readonly topic?: string | undefined; readonly at: number }): string {
  return `${event.type}\u0000${event.topic ?? ''}\u0000${event.at}`;
}

function traceEvent(event: StoredTraceEvent): TraceEvent {
  return {
    type: event.type as TraceEventType,
    at: event.at,
    ...(event.topic !== undefined && { topic: event.topic }),
    ...(event.group !== undefined && { group: event.group }),
    ...(event.clientId !== undefined && { clientId: event.clientId }),
    ...(event.attempt !== undefined && { attempt: event.attempt }),
    ...(event.note !== undefined && { note: event.note }),
  };
}
