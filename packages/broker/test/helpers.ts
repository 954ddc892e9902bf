import { pino } from 'pino';
import { resolveConfig, type BrokerConfig } from '../src/config.js';
import { BrokerCore, type ReceiveOptions } from '../src/core/broker-core.js';
import type { IncomingMessage } from '../src/core/validate-incoming.js';
import { parseTagExpression } from '../src/core/tag-filter.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { Store } from '../src/store/store.js';

export const silentLog = pino({ level: 'silent' });

/** A clock tests move by hand. */
export interface TestClock {
  readonly now: () => number;
  advance(ms: number): void;
}

/** A {@link TestClock} starting at `start` (default 2023-11-14). */
export function testClock(start = 1_700_000_000_000): TestClock {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

/** A broker core (no network) over `store`, an in-memory one by default, on `now` (default the real clock). */
export function memoryCore(config: BrokerConfig = {}, options: { store?: Store; now?: () => number } = {}): BrokerCore {
  return new BrokerCore(options.store ?? new MemoryStore(), resolveConfig(config), silentLog, options.now ? { now: options.now } : {});
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

/** A receive of `group` on `topic` by client-1 that does not wait. */
export function receiveRequest(group: string, topic: string, overrides: Partial<ReceiveOptions> & { tags?: string } = {}): ReceiveOptions {
  const { tags, ...rest } = overrides;
  return {
    group,
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
