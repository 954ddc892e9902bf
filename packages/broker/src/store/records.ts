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
  /** Set on copies in a `%DLQ%<group>` topic. */
  readonly deadLetter?: { readonly originTopic: string; readonly originMessageId: string };
}

/** A message accepted from a producer, before it is given an offset. */
export type MessageDraft = Omit<MessageRecord, 'offset' | 'storedAt'>;
