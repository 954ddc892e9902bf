import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { BrokerError, BrokerRefusedError, InvalidRequestError, NotFoundError } from '../errors.js';
import { STATUS_CODES } from '../status-codes.js';
import { openAdminChannel, type AdminConnectionOptions } from './admin-channel.js';
import { loadTransactionAdmin, type ResolveTransactionResponse, type ListTransactionsResponse, type WireTransaction } from './admin-proto.js';
import { fromGrpcStatus } from './error-mapping.js';

/** How a transaction is settled. */
export type Resolution = 'COMMIT' | 'ROLLBACK';

/** Options of {@link createTransactionAdmin}. */
export type TransactionAdminOptions = AdminConnectionOptions;

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
 * admin API with {@link BrokerRefusedError} (`NOT_IMPLEMENTED`). A broker with an `acl` refuses
 * unsigned or wrongly signed calls with {@link BrokerRefusedError} `UNAUTHORIZED` (status 40100)
 * and calls of a user without `admin: true` with `FORBIDDEN` (40300), as it refuses the messaging
 * clients; pass `credentials` (and `sslEnabled` / `tlsRootCertFile` for a TLS port).
 *
 * @example
 * ```ts
 * const admin = createTransactionAdmin({ endpoints: '127.0.0.1:8081' });
 * for (const tx of await admin.list({ parkedOnly: true })) await admin.rollback(tx.transactionId);
 * await admin.close();
 * ```
 */
export function createTransactionAdmin(options: TransactionAdminOptions = {}): TransactionAdmin {
  const channel = openAdminChannel('transaction admin', loadTransactionAdmin, options, fromServiceError);

  const resolve = async (transactionId: string, resolution: Resolution): Promise<ResolveResult> => {
    const response = await channel.call<ResolveTransactionResponse>('ResolveTransaction', { transactionId, resolution });
    return {
      transactionId,
      resolution,
      changed: response.changed,
      ...(response.transaction && { transaction: fromWire(response.transaction) }),
    };
  };

  return {
    endpoint: channel.endpoint,
    start: () => channel.start(),
    async list(filter = {}) {
      const response = await channel.call<ListTransactionsResponse>('ListTransactions', { parkedOnly: filter.parkedOnly ?? false, topic: filter.topic ?? '' });
      return response.transactions.map(fromWire);
    },
    commit: (transactionId) => resolve(transactionId, 'COMMIT'),
    rollback: (transactionId) => resolve(transactionId, 'ROLLBACK'),
    resolve,
    async close() {
      channel.close();
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
