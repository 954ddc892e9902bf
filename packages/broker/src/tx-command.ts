import type { ResolvedConfig } from './config.js';
import { BrokerCore } from './core/broker-core.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';
import { LmdbStore } from './store/lmdb-store.js';

/**
 * `txmq-broker tx list|commit|rollback`: operator access to unsettled (and parked) transactions.
 * It opens the data directory directly, so it runs while the broker is stopped; LMDB lets it
 * run beside a live broker too, but the broker only sees the change after a restart.
 */
export async function runTransactionCommand(args: string[], options: { dataDir: string; config: ResolvedConfig }): Promise<number> {
  const [action, transactionId] = args;
  const core = new BrokerCore(LmdbStore.open(options.dataDir), options.config, createLogger('warn'));
  try {
    if (action === 'list') {
      for (const half of core.transactions.list()) {
        console.log(JSON.stringify({
          transactionId: half.transactionId,
          topic: half.message.topic,
          messageId: half.message.messageId,
          createdAt: new Date(half.createdAt).toISOString(),
          checks: half.checks,
          parked: half.parked,
        }));
      }
      return 0;
    }
    if ((action === 'commit' || action === 'rollback') && transactionId) {
      await core.transactions.end(transactionId, action === 'commit' ? 'COMMIT' : 'ROLLBACK');
      console.log(`transaction ${transactionId} ${action === 'commit' ? 'committed' : 'rolled back'}`);
      return 0;
    }
    throw new ConfigError('usage: txmq-broker tx list | tx commit <transactionId> | tx rollback <transactionId>');
  } finally {
    await core.close();
  }
}
