import type { Logger } from 'pino';
import type { BrokerCore } from '../core/broker-core.js';
import type { CallAuth } from './call-auth.js';

/** What every RPC handler needs. */
export interface ServiceContext {
  readonly core: BrokerCore;
  readonly log: Logger;
  /** `host:port` the broker listens on; used when a request does not say how it reached us. */
  readonly listenAddress: () => { host: string; port: number };
  /** Aborted when the broker begins shutting down: long polls return and streams end. */
  readonly shutdown: AbortSignal;
  /** Present under an `acl`: every call is authenticated and checked. */
  readonly auth?: CallAuth | undefined;
}
