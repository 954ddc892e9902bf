import { status as GrpcStatus, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type {
  ListTransactionsRequest,
  ListTransactionsResponse,
  ResolveTransactionRequest,
  ResolveTransactionResponse,
  WireTransaction,
} from '../client/admin-proto.js';
import type { Resolution } from '../core/transactions.js';
import type { HalfEntity } from '../store/store.js';
import type { AdminBackend } from './backend.js';
import { AdminCallError, unaryAdmin, type AdminCallContext } from './unary.js';

/** What the transaction handlers need. */
export interface TransactionAdminContext extends AdminCallContext {
  readonly backend: Pick<AdminBackend, 'unsettledTransactions' | 'transaction' | 'endTransaction'>;
}

/**
 * The handlers of `txmq.admin.v1.TransactionAdmin`: operator access to the half messages of the
 * running broker. Resolving goes through the same `endTransaction` as EndTransaction, so it is
 * serialized with producers' answers and check-backs, and takes effect immediately.
 */
export function transactionAdminService(context: TransactionAdminContext): UntypedServiceImplementation {
  const { backend, log } = context;
  return {
    ListTransactions: unaryAdmin<ListTransactionsRequest, ListTransactionsResponse>(context, 'ListTransactions', (request) => {
      const transactions = backend
        .unsettledTransactions()
        .filter((half) => (!request.parkedOnly || half.parked) && (!request.topic || half.message.topic === request.topic))
        .map(toWire);
      return { transactions };
    }),
    ResolveTransaction: unaryAdmin<ResolveTransactionRequest, ResolveTransactionResponse>(context, 'ResolveTransaction', async (request) => {
      const transactionId = request.transactionId?.trim();
      if (!transactionId) throw new AdminCallError(GrpcStatus.INVALID_ARGUMENT, 'transaction_id is required', 'BAD_REQUEST');
      const resolution: Resolution | undefined =
        request.resolution === 'COMMIT' || request.resolution === 1 ? 'COMMIT'
        : request.resolution === 'ROLLBACK' || request.resolution === 2 ? 'ROLLBACK'
        : undefined;
      if (!resolution) throw new AdminCallError(GrpcStatus.INVALID_ARGUMENT, 'resolution must be COMMIT or ROLLBACK', 'BAD_REQUEST');
      const before = backend.transaction(transactionId);
      const changed = await backend.endTransaction(transactionId, resolution);
      log.info({ transactionId, resolution, changed, parked: before?.parked ?? null }, changed ? 'transaction resolved by an operator' : 'operator resolution repeated; nothing changed');
      return { resolution, changed, transaction: changed && before ? toWire(before) : null };
    }),
  };
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
