import { InvalidRequestError } from '../../errors.js';
import { Code, TransactionResolution } from '../codes.js';
import { incomingFromWire, qualify, requireName } from '../convert.js';
import { OK, statusOf } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { EndTransactionRequest, RecallMessageRequest, SendMessageRequest, Status } from '../wire-types.js';
import { unary } from './unary.js';

interface SendResultEntry {
  status: Status;
  messageId?: string;
  transactionId?: string;
  offset?: number;
  recallHandle?: string;
}

/** SendMessage: one result entry per message, each with its own status. */
export function sendMessage(service: ServiceContext) {
  return unary<SendMessageRequest, { status: Status; entries: SendResultEntry[] }>(
    'SendMessage',
    service,
    async (request, ctx) => {
      const messages = request.messages ?? [];
      if (messages.length === 0) throw new InvalidRequestError('BAD_REQUEST', 'SendMessage needs at least one message');
      service.core.touchClient(ctx.clientId);
      const entries = await Promise.all(
        messages.map(async (message): Promise<SendResultEntry> => {
          try {
            const outcome = await service.core.send(incomingFromWire(message, ctx.namespace), ctx.clientId);
            return {
              status: OK,
              messageId: outcome.messageId,
              transactionId: outcome.transactionId,
              offset: outcome.offset,
              ...(outcome.recallHandle !== undefined && { recallHandle: outcome.recallHandle }),
            };
          } catch (error) {
            return { status: statusOf(error, service.log, 'SendMessage'), messageId: message.systemProperties?.messageId ?? '' };
          }
        }),
      );
      const failed = entries.find((e) => e.status.code !== Code.OK);
      return { status: failed ? failed.status : OK, entries };
    },
    (status) => ({ status, entries: [] }),
  );
}

/** EndTransaction: commit or roll back a half message. */
export function endTransaction(service: ServiceContext) {
  return unary<EndTransactionRequest, { status: Status }>('EndTransaction', service, async (request, ctx) => {
    const transactionId = request.transactionId;
    if (!transactionId) throw new InvalidRequestError('INVALID_TRANSACTION_ID', 'transaction_id is required');
    const resolution =
      request.resolution === TransactionResolution.COMMIT ? 'COMMIT'
      : request.resolution === TransactionResolution.ROLLBACK ? 'ROLLBACK'
      : undefined;
    if (!resolution) throw new InvalidRequestError('BAD_REQUEST', 'resolution must be COMMIT or ROLLBACK');
    const topic = request.topic?.name ? qualify(request.topic.resourceNamespace || ctx.namespace, request.topic.name) : undefined;
    await service.core.endTransaction(transactionId, resolution, {
      ...(request.messageId && { messageId: request.messageId }),
      ...(topic && { topic }),
    });
    return { status: OK };
  });
}

/** RecallMessage: cancel a delay message that has not been delivered yet. */
export function recallMessage(service: ServiceContext) {
  return unary<RecallMessageRequest, { status: Status; messageId?: string }>('RecallMessage', service, async (request, ctx) => {
    const topic = qualify(request.topic?.resourceNamespace || ctx.namespace, requireName(request.topic, 'topic.name', 'ILLEGAL_TOPIC'));
    if (!request.recallHandle) throw new InvalidRequestError('BAD_REQUEST', 'recall_handle is required');
    const messageId = await service.core.recall(topic, request.recallHandle);
    return { status: OK, messageId };
  });
}
