/** The type a single message was sent as. */
export type MessageKind = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION';

/** A message as it is durably stored in a topic's log. */
export interface MessageRecord {
  readonly topic: string;
  readonly offset: number;
  readonly queueId: number;
  readonly messageId: string;
  readonly kind: MessageKind;
  readonly body: Buffer;
  readonly tag?: string;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly messageGroup?: string;
  readonly bornAt: number;
  readonly bornHost: string;
  readonly storedAt: number;
  readonly deliverAt?: number;
  readonly traceContext?: string;
  /** `x-mq-client-id` of the producer that sent it, when known. */
  readonly producerClientId?: string;
  /** Set on copies in a `%DLQ%<group>` topic. */
  readonly deadLetter?: { readonly originTopic: string; readonly originMessageId: string };
}

/** A message accepted from a producer, before it is given an offset. */
export type MessageDraft = Omit<MessageRecord, 'offset' | 'storedAt'>;

/** One step of a message's life recorded durably by the trace writer (the fields of a trace event). */
export interface StoredTraceEvent {
  readonly messageId: string;
  /** Increasing across the store's life: orders one message's events and names each one. */
  readonly seq: number;
  readonly type: string;
  /** ms since the epoch. */
  readonly at: number;
  readonly topic?: string;
  readonly group?: string;
  readonly clientId?: string;
  readonly attempt?: number;
  readonly note?: string;
}
