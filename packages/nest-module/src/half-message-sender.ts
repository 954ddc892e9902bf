import { Logger } from '@nestjs/common';
import { createTransactionalSender, type TransactionalSender } from '@txmq/outbox';
import type { ResolvedOptions } from './options.js';

/**
 * The transactional sender of `delivery: 'half-message'` (else `null`). It is created without
 * I/O; the lifecycle starts it at bootstrap, so that it answers check-backs for
 * `transactionalTopics` from then on, and closes it at shutdown.
 */
export function halfMessageSender(options: ResolvedOptions): TransactionalSender | null {
  if (options.delivery !== 'half-message') return null;
  const { db, schema, endpoints, namespace, transactionalTopics, logger, security } = options;
  const log = new Logger('TxmqProducer');
  // A failed EndTransaction or check-back: the broker asks (again) and gets the answer from the log.
  const onError = (error: unknown) => {
    if (logger !== undefined) logger.warn('txmq half-message sender:', error);
    else log.warn(`half-message sender: ${String(error)}`);
  };
  return createTransactionalSender({
    db,
    schema,
    endpoints,
    topics: transactionalTopics,
    ...(namespace !== undefined && { namespace }),
    ...(logger !== undefined && { logger }),
    ...security,
    onError,
  });
}
