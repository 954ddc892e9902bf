// TEMPORARY structural port until @txmq/broker's client is built; replaced by a static import.
import type { BrokerOutgoingMessage } from './to-broker-message.js';

export interface BrokerReceivedMessage {
  messageId: string;
  topic: string;
  properties: Record<string, string>;
  body: Buffer;
}

export interface BrokerApi {
  createProducer(options: {
    endpoints: string;
    topics?: string[];
    requestTimeoutMs?: number;
    checker?: (message: BrokerReceivedMessage) => Promise<'COMMIT' | 'ROLLBACK' | 'UNKNOWN'>;
  }): Promise<{
    send(message: BrokerOutgoingMessage): Promise<{ messageId: string }>;
    sendHalf(message: BrokerOutgoingMessage): Promise<{ messageId: string; transactionId: string; commit(): Promise<void>; rollback(): Promise<void> }>;
    close(): Promise<void>;
  }>;
}

export async function loadBroker(): Promise<BrokerApi> {
  const specifier = '@txmq/broker';
  return (await import(specifier)) as BrokerApi;
}
