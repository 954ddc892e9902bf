import { InvalidRequestError } from '../../errors.js';
import { Code } from '../codes.js';
import { TransactionResolution } from '../../wire/enums.js';
import type { SendResult } from '../../core/broker-core.js';
import type { IncomingMessage } from '../../core/validate-incoming.js';
import { incomingFromWire, qualify, requireName } from '../convert.js';
import { OK, statusOf } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { EndTransactionRequest, RecallMessageRequest } from '../../wire/types.js';
import type { SendMessageRequest, Status } from '../wire-types.js';
import { unary } from './unary.js';
import { permit } from '../call-auth.js';

interface SendResultEntry {
  status: Status;
  messageId?: string;
  transactionId?: string;
  offset?: number;
  recallHandle?: string;
}

/**
 * SendMessage: one result entry per message, each with its own status (a RocketMQ proxy answers a
 * batch with one entry; txmq's per-message entries are what its clients may map one-to-one). The
 * request's plain messages are stored in one durable commit.
 */
export function sendMessage(service: ServiceContext) {
  return unary<SendMessageRequest, { status: Status; entries: SendResultEntry[] }>(
    'SendMessage',
    service,
    async (request, ctx) => {
      const messages = request.messages ?? [];
      if (messages.length === 0) throw new InvalidRequestError('BAD_REQUEST', 'SendMessage needs at least one message');
      const incomings: (IncomingMessage | undefined)[] = [];
      const refused = new Map<number, unknown>();
      messages.forEach((message, index) => {
        try {
          incomings.push(incomingFromWire(message, ctx.namespace));
        } catch (error) {
          incomings.push(undefined);
          refused.set(index, error);
        }
      });
      const accepted = incomings.filter((m): m is IncomingMessage => m !== undefined);
      // An open broker (no user) skips building the set of topics on every send.
      if (ctx.user) for (const topic of new Set(accepted.map((m) => m.topic))) permit(ctx, { kind: 'pub', topic });
      service.core.touchClient(ctx.clientId);
      const results = await service.core.sendBatch(accepted, ctx.clientId);
      let next = 0;
      const entries = messages.map((message, index): SendResultEntry => {
        const result: SendResult = refused.has(index) ? { ok: false, error: refused.get(index) } : results[next++]!;
        if (!result.ok) return { status: statusOf(result.error, service.log, 'SendMessage'), messageId: message.systemProperties?.messageId ?? '' };
        const { outcome } = result;
        return {
          status: OK,
          messageId: outcome.messageId,
          transactionId: outcome.transactionId,
          offset: outcome.offset,
          ...(outcome.recallHandle !== undefined && { recallHandle: outcome.recallHandle }),
        };
      });
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
    // Without a topic in the request, the half message's own topic (if it is still there) is the one to publish to.
    const target = topic ?? service.core.transaction(transactionId)?.message.topic;
    if (target !== undefined) permit(ctx, { kind: 'pub', topic: target });
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
    permit(ctx, { kind: 'pub', topic });
    const messageId = await service.core.recall(topic, request.recallHandle);
    return { status: OK, messageId };
  });
}
