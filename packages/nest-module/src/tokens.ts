/** Injection token of the module's `Outbox` (of `@txmq/outbox`). */
export const TXMQ_OUTBOX = Symbol.for('txmq.nest.outbox');
/** @internal Injection token of the resolved options. */
export const TXMQ_RESOLVED_OPTIONS = Symbol.for('txmq.nest.resolved-options');
/** @internal Injection token of the broker producer for direct sends. */
export const TXMQ_BROKER_PRODUCER = Symbol.for('txmq.nest.broker-producer');
/** @internal Injection token of the relay (or `null` when `relay: false`). */
export const TXMQ_RELAY = Symbol.for('txmq.nest.relay');
/** @internal Injection token of the clock the shutdown bound and the consumer statistics run on. */
export const TXMQ_CLOCK = Symbol.for('txmq.nest.clock');
/** @internal Injection token of the transactional sender (or `null` unless `delivery: 'half-message'`). */
export const TXMQ_TRANSACTIONAL_SENDER = Symbol.for('txmq.nest.transactional-sender');
