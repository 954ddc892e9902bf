import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { TxmqProducer as BrokerProducer } from '@txmq/broker/client';
import type { Outbox, Relay, TransactionalSender } from '@txmq/outbox';
import type { ResolvedOptions } from './options.js';
import { TXMQ_BROKER_PRODUCER, TXMQ_OUTBOX, TXMQ_RELAY, TXMQ_RESOLVED_OPTIONS, TXMQ_TRANSACTIONAL_SENDER } from './tokens.js';
import { registerHost, unregisterHost } from './transaction/host-registry.js';
import { TransactionHost } from './transaction/transaction-host.js';
import { hasTransactionalMethods } from './transaction/transactional.js';

/**
 * Runs the module's I/O at the application's lifecycle: nothing before bootstrap; at bootstrap
 * the migrations (`migrate`) and the relay (`relay`); at shutdown the relay is drained (its
 * in-flight batch finishes) and the producer closed.
 */
@Injectable()
export class TxmqLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TXMQ_RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TXMQ_OUTBOX) private readonly outbox: Outbox,
    @Inject(TXMQ_RELAY) private readonly relay: Relay | null,
    @Inject(TXMQ_BROKER_PRODUCER) private readonly producer: BrokerProducer,
    @Inject(TXMQ_TRANSACTIONAL_SENDER) private readonly sender: TransactionalSender | null,
  ) {}

  onModuleInit(): void {
    const instances = [...this.discovery.getProviders(), ...this.discovery.getControllers()]
      .map((wrapper) => wrapper.instance as unknown)
      .filter(hasTransactionalMethods);
    registerHost(this.host, instances);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.migrate) await this.outbox.migrate();
    await this.sender?.start();
    await this.relay?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    unregisterHost(this.host);
    await this.producer.close();
    await this.sender?.close();
  }
}
