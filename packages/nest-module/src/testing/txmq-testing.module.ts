import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { DEFAULT_SCHEMA, type RelayTuning } from '@txmq/outbox';
import type { TxmqModuleOptions } from '../options.js';
import { TxmqModule } from '../txmq.module.js';
import { onMessageGroups } from './on-message-groups.js';
import { testingBrokerConfig } from './testing-broker-config.js';
import { splitOptions, type TxmqTestingModuleOptions } from './testing-options.js';
import { pgliteNotificationsOf, TxmqTestingHandle } from './txmq-testing-handle.js';

/** Relay settings for tests: quick polling, and sent rows kept so `waitUntilConsumed` sees them. */
const TESTING_RELAY: RelayTuning = { pollIntervalMs: 100, retainSentMs: 24 * 3_600_000 };

/** Holds the {@link TxmqTestingHandle}; deeper than `TxmqModule`, so it shuts down after it. */
@Module({})
class TxmqTestingHandleModule {}

/**
 * `TxmqModule` for an application's tests, with no services to run: `forRoot` starts a real txmq
 * broker in-process (memory store, a free port) and, unless `db` is given, a fresh in-memory
 * PGlite database, and registers `TxmqModule` against them. It exports what `TxmqModule`
 * exports plus the {@link TxmqTestingHandle}. Everything stops when the application closes.
 *
 * `forRoot` is synchronous and checks the options; the broker and the database start when Nest
 * resolves the module's providers (`compile()`, `NestFactory.create`), before bootstrap. The
 * broker never keeps the process alive by itself, so a test whose `compile()` fails still exits.
 *
 * @example
 * ```ts
 * const moduleRef = await Test.createTestingModule({
 *   imports: [TxmqTestingModule.forRoot({ setup: (db) => createTables(db) })],
 *   providers: [AccountsService, PointsConsumer],
 * }).compile();
 * try {
 *   await moduleRef.init();
 *   await moduleRef.get(AccountsService).register('ada@example.com');
 *   await moduleRef.get(TxmqTestingHandle).waitUntilConsumed({ topic: 'user-registered', group: 'points' });
 * } finally {
 *   await moduleRef.close(); // also after a failed init(), which may leave consumers connected
 * }
 * ```
 */
@Module({})
export class TxmqTestingModule {
  /** @throws `InvalidOptionsError` (of `@txmq/outbox`) naming a bad option. */
  static forRoot(options: TxmqTestingModuleOptions = {}): DynamicModule {
    const { db, broker, setup, isGlobal, module } = splitOptions(options);
    const handleModule: DynamicModule = {
      module: TxmqTestingHandleModule,
      imports: [DiscoveryModule],
      providers: [
        {
          provide: TxmqTestingHandle,
          inject: [DiscoveryService, MetadataScanner],
          useFactory: (discovery: DiscoveryService, scanner: MetadataScanner) =>
            TxmqTestingHandle.start({
              db,
              setup,
              broker: testingBrokerConfig(broker, onMessageGroups(discovery, scanner), module.namespace),
              schema: module.schema ?? DEFAULT_SCHEMA,
            }),
        },
      ],
      exports: [TxmqTestingHandle],
    };
    const txmq = TxmqModule.forRootAsync({
      imports: [handleModule],
      inject: [TxmqTestingHandle],
      useFactory: (handle: TxmqTestingHandle): TxmqModuleOptions => ({
        ...module,
        endpoints: handle.endpoint,
        db: handle.db,
        relay: testingRelay(module.relay, handle),
      }),
    });
    // Global through this module (not TxmqModule itself): a global module shuts down last, and
    // TxmqModule must stop before the handle closes the broker and the database.
    return { module: TxmqTestingModule, global: isGlobal, imports: [handleModule, txmq], exports: [txmq, handleModule] };
  }
}

function testingRelay(relay: TxmqModuleOptions['relay'], handle: TxmqTestingHandle): RelayTuning | false {
  if (relay === false) return false;
  const listen = pgliteNotificationsOf(handle);
  return { ...TESTING_RELAY, ...(listen !== undefined && { listen }), ...(typeof relay === 'object' && relay) };
}
