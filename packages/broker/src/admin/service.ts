import { status as GrpcStatus, Metadata, type handleUnaryCall, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { BrokerCore } from '../core/broker-core.js';
import type { Resolution } from '../core/transactions.js';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { HalfEntity } from '../store/store.js';
import type {
  ListTransactionsRequest,
  ListTransactionsResponse,
  ResolveTransactionRequest,
  ResolveTransactionResponse,
  WireTransaction,
} from '../client/admin-proto.js';

/** What the admin handlers need. */
export interface AdminServiceContext {
  readonly core: BrokerCore;
  readonly log: Logger;
  /** Aborted when the broker begins shutting down. */
  readonly shutdown: AbortSignal;
}

/** A failure with the gRPC status the admin API reports it as. */
class AdminCallError extends Error {
  constructor(
    readonly code: GrpcStatus,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The handlers of `txmq.admin.v1.TransactionAdmin`: operator access to the half messages of the
 * running broker. Resolving goes through the same {@link BrokerCore.endTransaction} as EndTransaction, so
 * it is serialized with producers' answers and check-backs, and takes effect immediately.
 */
export function transactionAdminService(context: AdminServiceContext): UntypedServiceImplementation {
  const { core, log } = context;
  return {
    ListTransactions: unaryAdmin<ListTransactionsRequest, ListTransactionsResponse>(context, 'ListTransactions', (request) => {
      const transactions = core
        .unsettledTransactions()
        .filter((half) => (!request.parkedOnly || half.parked) && (!request.topic || half.message.topic === request.topic))
        .map(toWire);
      return { transactions };
    }),
    ResolveTransaction: unaryAdmin<ResolveTransactionRequest, ResolveTransactionResponse>(context, 'ResolveTransaction', async (request) => {
      const transactionId = request.transactionId?.trim();
      if (!transactionId) throw new AdminCallError(GrpcStatus.INVALID_ARGUMENT, 'transaction_id is required');
      const resolution: Resolution | undefined =
        request.resolution === 'COMMIT' || request.resolution === 1 ? 'COMMIT'
        : request.resolution === 'ROLLBACK' || request.resolution === 2 ? 'ROLLBACK'
        : undefined;
      if (!resolution) throw new AdminCallError(GrpcStatus.INVALID_ARGUMENT, 'resolution must be COMMIT or ROLLBACK');
      const before = core.transaction(transactionId);
      const changed = await core.endTransaction(transactionId, resolution);
      log.info({ transactionId, resolution, changed, parked: before?.parked ?? null }, changed ? 'transaction resolved by an operator' : 'operator resolution repeated; nothing changed');
      return { resolution, changed, transaction: changed && before ? toWire(before) : null };
    }),
  };
}

function unaryAdmin<Req, Res>(
  context: AdminServiceContext,
  rpc: string,
  handle: (request: Req) => Res | Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => {
        if (context.shutdown.aborted) throw new AdminCallError(GrpcStatus.UNAVAILABLE, 'the broker is shutting down');
        return handle(call.request);
      })
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error, context.log, rpc)),
      );
  };
}

function toServiceError(error: unknown, log: Logger, rpc: string): Partial<ServiceError> {
  let code: GrpcStatus;
  if (error instanceof AdminCallError) code = error.code;
  else if (error instanceof NotFoundError) code = GrpcStatus.NOT_FOUND;
  else if (error instanceof InvalidRequestError) code = GrpcStatus.FAILED_PRECONDITION;
  else {
    log.error({ rpc, err: error }, 'admin request failed');
    code = GrpcStatus.INTERNAL;
  }
  const message = (error as Error)?.message ?? String(error);
  if (code !== GrpcStatus.INTERNAL) log.info({ rpc, code: GrpcStatus[code], reason: message }, 'admin request refused');
  return { code, details: message, message, metadata: new Metadata() };
}

/** The admin API's view of a half message. */
export function toWire(half: HalfEntity): WireTransaction {
  const { message } = half;
  return {
    transactionId: half.transactionId,
    messageId: message.messageId,
    topic: message.topic,
    tag: message.tag ?? '',
    keys: [...message.keys],
    producerClientId: half.producerClientId,
    createdAtMs: half.createdAt,
    checks: half.checks,
    nextCheckAtMs: half.nextCheckAt,
    parked: half.parked,
    bodySize: message.body.length,
    properties: { ...message.properties },
  };
}
