import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { TxmqProducer as BrokerProducer } from '@txmq/broker/client';
import { DEFAULT_RELAY_POLL_INTERVAL_MS, type Outbox, type Relay, type TransactionalSender } from '@txmq/outbox';
import type { TxmqClock } from './clock.js';
import { TxmqConsumers } from './consumers/txmq-consumers.js';
import { describeError } from './describe-error.js';
import type { ResolvedOptions } from './options.js';
import { Deadline } from './shutdown/deadline.js';
import { describeInFlight } from './shutdown/describe-in-flight.js';
import { isEmpty, markOutbox, rowsCommittedSince, rowsLeft, type OutboxMark } from './shutdown/outbox-rows.js';
import { relayCatchUp, type CatchUp } from './shutdown/relay-catch-up.js';
import { TXMQ_BROKER_PRODUCER, TXMQ_CLOCK, TXMQ_OUTBOX, TXMQ_RELAY, TXMQ_RESOLVED_OPTIONS, TXMQ_TRANSACTIONAL_SENDER } from './tokens.js';
import { registerHost, unregisterHost } from './transaction/host-registry.js';
import { TransactionHost } from './transaction/transaction-host.js';
import { hasTransactionalMethods } from './transaction/transactional.js';

/**
 * Runs the module's I/O at the application's lifecycle: nothing before bootstrap; at bootstrap
 * the migrations (`migrate`) and the relay (`relay`); at shutdown, in this order and within
 * `shutdownTimeoutMs` in all: the consumers stop receiving and their running handlers commit,
 * the relay claims the outbox rows committed since the shutdown began and stops after its
 * in-flight batch, and the producer closes.
 */
@Injectable()
export class TxmqLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly #log = new Logger('TxmqModule');
  #deadline: Deadline | undefined;

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TXMQ_RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TXMQ_OUTBOX) private readonly outbox: Outbox,
    @Inject(TXMQ_RELAY) private readonly relay: Relay | null,
    @Inject(TXMQ_BROKER_PRODUCER) private readonly producer: BrokerProducer,
    @Inject(TXMQ_TRANSACTIONAL_SENDER) private readonly sender: TransactionalSender | null,
    @Inject(TxmqConsumers) private readonly consumers: TxmqConsumers,
    @Inject(TXMQ_CLOCK) private readonly clock: TxmqClock,
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

  /** Drains the consumers, then the relay; the producer stays open for `onApplicationShutdown`. */
  async beforeApplicationShutdown(): Promise<void> {
    const deadline = this.#startDeadline();
    const relay = this.relay;
    const tuning = this.options.relay;
    // Read before the drain starts, so every handler commit after the drain began is past the
    // mark and waited for below. A full pool only delays the drain while the handlers holding it
    // run on; a mark not read within the bound is no mark.
    let mark: OutboxMark | undefined;
    if (relay !== null && tuning !== false) await deadline.within(this.#mark().then((read) => (mark = read)), () => undefined);
    if (!(await deadline.within(this.consumers.drain(), (error) => this.#log.error(`stopping the consumers failed: ${describeError(error)}`)))) {
      const running = describeInFlight(this.consumers.inFlight());
      this.#log.error(
        `shutdownTimeoutMs (${this.options.shutdownTimeoutMs} ms) passed with ${running ?? 'the consumers still leaving their groups'}; ` +
          'closing anyway: messages whose handler did not commit are not acknowledged, and the broker redelivers them',
      );
      this.consumers.abandon();
    }
    if (relay === null || tuning === false || mark === undefined) return;
    if (deadline.expired) {
      // The bound has passed and was reported: stop without waiting.
      relay.stop().catch((error: unknown) => this.#log.error(`stopping the relay failed: ${describeError(error)}`));
      return;
    }
    // The rows committed since the shutdown began are claimed first, so the stopping relay publishes them.
    const stallMs = 2 * (tuning.pollIntervalMs ?? DEFAULT_RELAY_POLL_INTERVAL_MS);
    await deadline.within(this.#catchUp(relay, mark, deadline, stallMs), (error) => this.#log.warn(`reading the outbox before stopping the relay failed: ${describeError(error)}`));
    if (!(await deadline.within(relay.stop(), (error) => this.#log.error(`stopping the relay failed: ${describeError(error)}`)))) {
      this.#log.error(
        `shutdownTimeoutMs (${this.options.shutdownTimeoutMs} ms) passed while the relay was still publishing (${relay.stats().inFlight} messages in flight); ` +
          'closing anyway: rows it did not mark published stay in the outbox for the next relay',
      );
    }
  }

  /** Closes the producer, within what is left of the bound (without waiting once it has passed). */
  async onApplicationShutdown(): Promise<void> {
    unregisterHost(this.host);
    const deadline = this.#deadline ?? this.#startDeadline();
    this.#deadline = undefined;
    const onError = (error: unknown) => this.#log.warn(`closing the producer or the half-message sender failed: ${describeError(error)}`);
    const closing = Promise.all([this.producer.close(), this.sender?.close()]);
    try {
      if (deadline.expired) closing.catch(onError);
      else if (!(await deadline.within(closing, onError))) {
        this.#log.error(`shutdownTimeoutMs (${this.options.shutdownTimeoutMs} ms) passed before the producer had closed; leaving it`);
      }
    } finally {
      deadline.dispose();
    }
  }

  #startDeadline(): Deadline {
    this.#deadline?.dispose();
    this.#deadline = new Deadline(this.clock, this.options.shutdownTimeoutMs);
    return this.#deadline;
  }

  /** Where the outbox stands as the shutdown begins; undefined (logged) when it cannot be read. */
  #mark(): Promise<OutboxMark | undefined> {
    return markOutbox(this.outbox).catch((error: unknown) => {
      this.#log.warn(`reading the outbox as the shutdown began failed; the relay stops without waiting for new rows: ${describeError(error)}`);
      return undefined;
    });
  }

  /** Waits for the relay to claim the rows committed since `mark` (see `relayCatchUp`). */
  async #catchUp(relay: Relay, mark: OutboxMark, deadline: Deadline, stallMs: number): Promise<CatchUp> {
    const rows = await rowsCommittedSince(this.outbox, mark);
    if (isEmpty(rows)) return 'caught-up';
    const outcome = await relayCatchUp(() => rowsLeft(this.outbox, rows), relay, deadline, stallMs);
    if (outcome === 'stalled') {
      this.#log.warn(
        `the relay claimed none of the outbox rows committed during the shutdown for ${stallMs} ms (two poll intervals); ` +
          'stopping it anyway: they stay in the outbox for the next relay',
      );
    }
    return outcome;
  }
}
