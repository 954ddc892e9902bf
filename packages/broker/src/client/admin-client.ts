import { credentials, status as GrpcStatus, type Client, type ServiceError } from '@grpc/grpc-js';
import { BrokerError, BrokerRefusedError, BrokerUnreachableError, ClientClosedError, ConfigError, InvalidRequestError, NotFoundError } from '../errors.js';
import { STATUS_CODES } from '../status-codes.js';
import { loadTransactionAdmin, type ResolveTransactionResponse, type ListTransactionsResponse, type WireTransaction } from './admin-proto.js';
import { fromGrpcStatus } from './error-mapping.js';
import { describe } from '../rules/names.js';
import { parseEndpoint } from './endpoint.js';
import { checkPositive } from './option-checks.js';
import { PROBE_CHANNEL_OPTIONS, waitUntilReady } from './reachability.js';

/** How a transaction is settled. */
export type Resolution = 'COMMIT' | 'ROLLBACK';

/** Options of {@link createTransactionAdmin}. */
export interface TransactionAdminOptions {
  /** `HOST:PORT` of the broker's gRPC port, or a bare `PORT` on this machine (default `127.0.0.1:8081`). */
  readonly endpoints?: string;
  /** Deadline of each call in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** How long connecting may take before calls reject with `BrokerUnreachableError` (default `timeoutMs`). */
  readonly startupTimeoutMs?: number;
}

/** An unsettled transactional half message, as the running broker sees it. */
export interface TransactionInfo {
  readonly transactionId: string;
  readonly messageId: string;
  /** Broker-internal topic name (`<namespace>%<topic>` when the producer used a namespace). */
  readonly topic: string;
  readonly tag?: string;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  /** `x-mq-client-id` of the producer that sent it. */
  readonly producerClientId: string;
  readonly createdAt: Date;
  /** Check-backs made so far (one with no producer connected counts too). */
  readonly checks: number;
  /** When the next check-back (or parking) is due. */
  readonly nextCheckAt: Date;
  /** True after the maximum number of check-backs: kept until an operator resolves it. */
  readonly parked: boolean;
  readonly bodySize: number;
}

/** What resolving a transaction did. */
export interface ResolveResult {
  readonly transactionId: string;
  readonly resolution: Resolution;
  /** False when the transaction had already been settled this way: nothing changed. */
  readonly changed: boolean;
  /** The half message as it was before this call settled it (absent when nothing changed). */
  readonly transaction?: TransactionInfo;
}

/** Typed client of a running broker's `txmq.admin.v1.TransactionAdmin` service. */
export interface TransactionAdmin {
  /** The endpoint this admin talks to. */
  readonly endpoint: string;
  /**
   * Connects now instead of on first call; rejects with `BrokerUnreachableError` when no
   * connection could be made within `startupTimeoutMs`. Calling it again tries again.
   */
  start(): Promise<void>;
  /** Unsettled transactions, parked ones included, oldest first. */
  list(filter?: { readonly parkedOnly?: boolean; readonly topic?: string }): Promise<TransactionInfo[]>;
  /** Commits a transaction (a parked one too): its message becomes visible to consumers at once. */
  commit(transactionId: string): Promise<ResolveResult>;
  /** Rolls a transaction back: its message is discarded. */
  rollback(transactionId: string): Promise<ResolveResult>;
  resolve(transactionId: string, resolution: Resolution): Promise<ResolveResult>;
  /** Closes the connection; later calls reject with `ClientClosedError`. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a client of a running broker's admin API: list, commit and roll back transactional half
 * messages, parked ones included. Does no I/O: it connects on the first call (or on `start()`).
 *
 * Errors: an unknown transaction id rejects with {@link NotFoundError}, resolving a transaction
 * that was already settled the other way with {@link InvalidRequestError} (both with code
 * `INVALID_TRANSACTION_ID`), an unreachable broker with {@link BrokerUnreachableError}, a call
 * that got no answer in time with `BrokerTimeoutError`, and a server that does not serve the
 * admin API with {@link BrokerRefusedError} (`NOT_IMPLEMENTED`).
 *
 * @example
 * ```ts
 * const admin = createTransactionAdmin({ endpoints: '127.0.0.1:8081' });
 * for (const tx of await admin.list({ parkedOnly: true })) await admin.rollback(tx.transactionId);
 * await admin.close();
 * ```
 */
export function createTransactionAdmin(options: TransactionAdminOptions = {}): TransactionAdmin {
  if (options.endpoints !== undefined && typeof options.endpoints !== 'string') {
    throw new ConfigError(`invalid transaction admin option endpoints: must be a "host:port" string, got ${describe(options.endpoints)}`);
  }
  const endpoint = parseEndpoint(options.endpoints ?? '127.0.0.1:8081', 'endpoints', 'transaction admin');
  checkPositive('transaction admin', 'timeoutMs', options.timeoutMs);
  checkPositive('transaction admin', 'startupTimeoutMs', options.startupTimeoutMs);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const startupTimeoutMs = options.startupTimeoutMs ?? timeoutMs;
  let client: (Client & Record<string, Function>) | undefined;
  let connecting: Promise<boolean> | undefined;
  const closed = new AbortController();

  const connect = async (method: string): Promise<Client & Record<string, Function>> => {
    if (closed.signal.aborted) throw new ClientClosedError(`transaction admin.${method}()`);
    client ??= new (loadTransactionAdmin())(endpoint, credentials.createInsecure(), PROBE_CHANNEL_OPTIONS) as Client & Record<string, Function>;
    const channel = client;
    connecting ??= waitUntilReady(channel, Date.now() + startupTimeoutMs, closed.signal).finally(() => {
      connecting = undefined;
    });
    const ready = await connecting;
    if (closed.signal.aborted) throw new ClientClosedError(`transaction admin.${method}()`);
    if (!ready) throw new BrokerUnreachableError(endpoint, `no connection within startupTimeoutMs = ${startupTimeoutMs} ms`);
    return channel;
  };

  const call = async <Res>(rpc: string, request: object): Promise<Res> => {
    const ready = await connect(rpc);
    return new Promise<Res>((resolve, reject) => {
      ready[rpc]!.call(ready, request, { deadline: Date.now() + timeoutMs }, (error: ServiceError | null, response: Res) => {
        if (error) reject(closed.signal.aborted ? new ClientClosedError(`transaction admin.${rpc}()`) : fromServiceError(error, endpoint));
        else resolve(response);
      });
    });
  };

  const resolve = async (transactionId: string, resolution: Resolution): Promise<ResolveResult> => {
    const response = await call<ResolveTransactionResponse>('ResolveTransaction', { transactionId, resolution });
    return {
      transactionId,
      resolution,
      changed: response.changed,
      ...(response.transaction && { transaction: fromWire(response.transaction) }),
    };
  };

  return {
    endpoint,
    start: () => connect('start').then(() => undefined),
    async list(filter = {}) {
      const response = await call<ListTransactionsResponse>('ListTransactions', { parkedOnly: filter.parkedOnly ?? false, topic: filter.topic ?? '' });
      return response.transactions.map(fromWire);
    },
    commit: (transactionId) => resolve(transactionId, 'COMMIT'),
    rollback: (transactionId) => resolve(transactionId, 'ROLLBACK'),
    resolve,
    async close() {
      closed.abort();
      client?.close();
    },
  };
}

function fromWire(wire: WireTransaction): TransactionInfo {
  return {
    transactionId: wire.transactionId,
    messageId: wire.messageId,
    topic: wire.topic,
    ...(wire.tag && { tag: wire.tag }),
    keys: wire.keys,
    properties: wire.properties,
    producerClientId: wire.producerClientId,
    createdAt: new Date(wire.createdAtMs),
    checks: wire.checks,
    nextCheckAt: new Date(wire.nextCheckAtMs),
    parked: wire.parked,
    bodySize: wire.bodySize,
  };
}

function fromServiceError(error: ServiceError, endpoint: string): BrokerError {
  const details = error.details || error.message;
  switch (error.code) {
    case GrpcStatus.NOT_FOUND:
      return new NotFoundError('INVALID_TRANSACTION_ID', details, { cause: error });
    case GrpcStatus.FAILED_PRECONDITION:
      return new InvalidRequestError('INVALID_TRANSACTION_ID', details, { cause: error });
    case GrpcStatus.INVALID_ARGUMENT:
      return new InvalidRequestError('BAD_REQUEST', details, { cause: error });
    case GrpcStatus.UNIMPLEMENTED:
      return new BrokerRefusedError(STATUS_CODES.NOT_IMPLEMENTED, `the server at ${endpoint} does not serve txmq's admin API (is it a txmq broker?): ${details}`, { cause: error });
    default:
      return fromGrpcStatus(error, endpoint);
  }
}
