import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerConfig } from '../src/config.js';
import type { BrokerCore } from '../src/core/broker-core.js';
import { LmdbStore } from '../src/store/lmdb-store.js';
import { memoryCore } from './helpers.js';

/** Opens broker cores over one LMDB data dir in a temp dir: a core opened after the last one closed sees what it stored. */
export interface CoreFactory {
  readonly dir: string;
  open(config?: BrokerConfig, now?: () => number): BrokerCore;
  cleanup(): Promise<void>;
}

export async function lmdbFactory(): Promise<CoreFactory> {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-admin-'));
  return {
    dir,
    open: (config = {}, now) => memoryCore(config, { store: LmdbStore.open(dir), ...(now && { now }) }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `error` is a BrokerError of `name` and `code` whose message matches `pattern`. */
export function brokerError(name: string, code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    const e = error as { name?: string; code?: string; message?: string };
    if (e.name !== name || e.code !== code || !pattern.test(e.message ?? '')) throw error;
    return true;
  };
}
