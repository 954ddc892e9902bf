import { pino } from 'pino';
import { resolveConfig, type BrokerConfig } from '../src/config.js';
import { BrokerCore } from '../src/core/broker-core.js';
import type { IncomingMessage } from '../src/core/message-rules.js';
import { parseTagExpression } from '../src/core/tag-filter.js';
import type { ReceiveRequest } from '../src/core/deliveries.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { Store } from '../src/store/store.js';

export const silentLog = pino({ level: 'silent' });

/** A broker core over an in-memory store (no network). */
export function memoryCore(config: BrokerConfig = {}, store: Store = new MemoryStore()): BrokerCore {
  return new BrokerCore(store, resolveConfig(config), silentLog);
}

let counter = 0;
/** An incoming NORMAL message with sensible defaults. */
export function incoming(topic: string, overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  counter += 1;
  return {
    topic,
    queueId: 0,
    messageId: `MSG${String(counter).padStart(6, '0')}`,
    kind: 'NORMAL',
    body: Buffer.from(`body-${counter}`),
    keys: [],
    properties: {},
    bornAt: Date.now(),
    bornHost: 'test',
    ...overrides,
  };
}

/** A receive request for `group` on `topic` that does not wait. */
export function receiveRequest(core: BrokerCore, group: string, topic: string, overrides: Partial<ReceiveRequest> & { tags?: string } = {}): ReceiveRequest {
  const settings = core.registry.group(group);
  const { tags, ...rest } = overrides;
  return {
    group: settings,
    consumer: group,
    topic,
    filter: parseTagExpression(tags ?? '*'),
    batchSize: 32,
    invisibleMs: 10_000,
    autoRenew: false,
    clientId: 'client-1',
    waitMs: 0,
    ...rest,
  };
}
