import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';
import type { Clients } from '../clients.js';
import type { Deliveries } from '../deliveries.js';
import type { Registry } from '../registry.js';
import type { TopicLogs } from '../topic-log.js';

/** What the operator operations work on: the broker core's parts. */
export interface AdminContext {
  readonly store: Store;
  readonly logs: TopicLogs;
  readonly registry: Registry;
  readonly deliveries: Deliveries;
  readonly clients: Clients;
  readonly log: Logger;
  readonly now: () => number;
}
