import type { AdminBackend } from './backend.js';
import type { AdminCallContext } from './unary.js';

/** What the `txmq.admin.v1.BrokerAdmin` handlers need. */
export interface BrokerAdminContext extends AdminCallContext {
  readonly backend: AdminBackend;
  /** The largest answer the broker may send (its gRPC frame limit): bodies are cut to fit. */
  readonly maxResponseBytes: number;
}
