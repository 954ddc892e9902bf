import { Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { createProducer } from '@txmq/broker/client';
import { createOutbox, createRelay, type Outbox } from '@txmq/outbox';
import { ConfigurableModuleClass, TXMQ_MODULE_OPTIONS } from './module-definition.js';
import { resolveOptions, type ResolvedOptions, type TxmqModuleOptions } from './options.js';
import { SYSTEM_CLOCK } from './clock.js';
import { TXMQ_BROKER_PRODUCER, TXMQ_CLOCK, TXMQ_OUTBOX, TXMQ_RELAY, TXMQ_RESOLVED_OPTIONS, TXMQ_TRANSACTIONAL_SENDER } from './tokens.js';
import { halfMessageSender } from './half-message-sender.js';
import { clientOptions, moduleClient } from './broker-clients.js';
import { TransactionHost } from './transaction/transaction-host.js';
import { TxmqConsumerStats } from './consumers/txmq-consumer-stats.js';
import { TxmqConsumers } from './consumers/txmq-consumers.js';
import { TxmqLifecycle } from './txmq-lifecycle.js';
import { TxmqProducer } from './txmq-producer.js';

// Every factory below is synchronous and does no I/O (the factory rule of the txmq packages):
// bad options fail when the module is created, the broker is first contacted at bootstrap
// (relay, half-message sender) or on the first direct send (producer).
const providers: Provider[] = [
  { provide: TXMQ_RESOLVED_OPTIONS, inject: [TXMQ_MODULE_OPTIONS], useFactory: (options: TxmqModuleOptions) => resolveOptions(options) },
  { provide: TransactionHost, inject: [TXMQ_RESOLVED_OPTIONS], useFactory: (options: ResolvedOptions) => new TransactionHost(options.db) },
  {
    provide: TXMQ_OUTBOX,
    inject: [TXMQ_RESOLVED_OPTIONS],
    useFactory: (options: ResolvedOptions) => createOutbox({ db: options.db, schema: options.schema }),
  },
  {
    provide: TXMQ_BROKER_PRODUCER,
    inject: [TXMQ_RESOLVED_OPTIONS],
    useFactory: (options: ResolvedOptions) => moduleClient(() => createProducer(clientOptions(options))),
  },
  {
    provide: TXMQ_RELAY,
    inject: [TXMQ_RESOLVED_OPTIONS, TXMQ_OUTBOX],
    useFactory: ({ relay, endpoints, namespace, logger, security }: ResolvedOptions, outbox: Outbox) =>
      relay === false
        ? null
        : createRelay({
            ...(logger !== undefined && { onError: (error: unknown) => logger.warn('txmq relay:', error) }),
            ...relay,
            outbox,
            endpoints,
            ...(namespace !== undefined && { namespace }),
            ...(logger !== undefined && { logger }),
            ...security,
          }),
  },
  { provide: TXMQ_CLOCK, useValue: SYSTEM_CLOCK },
  { provide: TXMQ_TRANSACTIONAL_SENDER, inject: [TXMQ_RESOLVED_OPTIONS], useFactory: halfMessageSender },
  TxmqProducer,
  TxmqLifecycle,
  TxmqConsumers,
  TxmqConsumerStats,
];

/**
 * The txmq module: `TransactionHost` (the ambient Kysely transaction `@Transactional()` methods
 * run in), `TxmqProducer` (sends through the outbox inside a transaction) and the outbox itself
 * (token `TXMQ_OUTBOX`), with the outbox migrations and a relay run at the application's
 * lifecycle. Register it with `TxmqModule.forRoot(options)` or
 * `TxmqModule.forRootAsync({ imports, inject, useFactory })`; `isGlobal: true` makes its
 * providers injectable everywhere.
 */
@Module({
  imports: [DiscoveryModule],
  providers,
  exports: [TransactionHost, TxmqProducer, TxmqConsumerStats, TXMQ_OUTBOX, TXMQ_RESOLVED_OPTIONS],
})
export class TxmqModule extends ConfigurableModuleClass {}
