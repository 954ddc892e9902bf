import type { Logger } from 'pino';
import type { BrokerCore } from '../core/broker-core.js';
import type { CallAuth } from './call-auth.js';

/**
 * Told of every RPC served, once it is answered: its name, the RocketMQ status code it answered
 * (in-band, as the clients read it) and how long it took. Must not throw; called on the hot path.
 */
export type RpcObserver = (rpc: string, code: number, seconds: number) => void;

/**
 * Tells `service.onRpc` (if any) of an answered RPC; call it after answering. An observer that
 * throws anyway is logged, never let to fail or hold up the call.
 */
export function observeRpc(service: Pick<ServiceContext, 'onRpc' | 'log'>, rpc: string, code: number, seconds: number): void {
  if (!service.onRpc) return;
  try {
    service.onRpc(rpc, code, seconds);
  } catch (error) {
    service.log.error({ err: error, rpc }, 'the RPC observer failed');
  }
}

/** What every RPC handler needs. */
export interface ServiceContext {
  readonly core: BrokerCore;
  readonly log: Logger;
  /** `host:port` the broker listens on; used when a request does not say how it reached us. */
  readonly listenAddress: () => { host: string; port: number };
  /** Aborted when the broker begins shutting down: long polls return and streams end. */
  readonly shutdown: AbortSignal;
  /**
   * When set, told of every unary RPC and every ReceiveMessage answered (not of the session-long
   * Telemetry stream, nor of a receive whose client left before its answer).
   */
  readonly onRpc?: RpcObserver;
  /** Present under an `acl`: every call is authenticated and checked. */
  readonly auth?: CallAuth | undefined;
}
