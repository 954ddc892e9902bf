import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveConfig, type BrokerConfig } from '../src/config.js';
import { BrokerCore } from '../src/core/broker-core.js';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { Store } from '../src/store/store.js';
import { silentLog, type TestClock } from './helpers.js';

/** A store under test: opened again on the same data for the durable one. */
export interface StoreKind {
  readonly name: string;
  readonly durable: boolean;
  /** A fresh store; `reopen` opens the same data again (after the previous one was closed). */
  create(): Promise<{ store: Store; reopen(): Store; dispose(): Promise<void> }>;
}

export const STORES: readonly StoreKind[] = [
  {
    name: 'MemoryStore',
    durable: false,
    async create() {
      const store = new MemoryStore();
      return { store, reopen: () => store, dispose: async () => undefined };
    },
  },
  {
    name: 'LmdbStore',
    durable: true,
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'txmq-trace-'));
      return { store: LmdbStore.open(dir), reopen: () => LmdbStore.open(dir), dispose: () => rm(dir, { recursive: true, force: true }) };
    },
  },
];

/** A core over `store` on `clock`. */
export function coreOn(store: Store, clock: TestClock, config: BrokerConfig = {}): BrokerCore {
  return new BrokerCore(store, resolveConfig(config), silentLog, { now: clock.now });
}

/** Waits until `done()` holds (the trace writer writes in the background), up to 5 s. */
export async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 2) {
    if (waited > 5000) throw new Error('condition not reached within 5 s');
    await sleep(2);
  }
}
