import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { QueryMessagesRequest, QueryMessagesResponse, TraceMessageRequest, TraceMessageResponse } from '../client/admin-proto.js';
import type { MessageView, Page } from '../core/views/index.js';
import { NotFoundError } from '../errors.js';
import { bodyBudget } from './body-budget.js';
import { fittedPage } from './fitted-page.js';
import type { BrokerAdminContext } from './context.js';
import { pageOf, required, timeOf } from './requests.js';
import { invalidArgument, unaryAdmin } from './unary.js';
import { messageToWire, traceEventToWire } from './wire-views.js';

/** QueryMessages and TraceMessage of `txmq.admin.v1.BrokerAdmin`. */
export function messageHandlers(context: BrokerAdminContext): UntypedServiceImplementation {
  const { backend } = context;
  return {
    QueryMessages: unaryAdmin<QueryMessagesRequest, QueryMessagesResponse>(context, 'QueryMessages', (request) => {
      // By id every copy comes in one answer (bodies cut to fit); other queries may end a page early.
      const paged = request.messageId === undefined;
      const page = fittedPage(
        query(context, request),
        () => bodyBudget(request.body, context.maxResponseBytes, paged),
        (message, budget) => messageToWire(message, budget),
        (pageSize) => query(context, { ...request, pageSize }),
      );
      return { messages: page.items, nextPageToken: page.nextPageToken };
    }),
    TraceMessage: unaryAdmin<TraceMessageRequest, TraceMessageResponse>(context, 'TraceMessage', (request) => {
      const messageId = required(request.messageId, 'message_id');
      const trace = backend.traceMessage(messageId);
      if (!trace) throw new NotFoundError('MESSAGE_NOT_FOUND', `no trace of message ${messageId} is retained (unknown id, or older than the trace retention)`);
      return { messageId: trace.messageId, events: trace.events.map(traceEventToWire) };
    }),
  };
}

function query({ backend }: BrokerAdminContext, request: QueryMessagesRequest): Page<MessageView> {
  const kinds = [request.messageId !== undefined, Boolean(request.byKey), Boolean(request.byTime)].filter(Boolean).length;
  if (kinds !== 1) throw invalidArgument('exactly one of message_id, by_key and by_time is required');
  if (request.messageId !== undefined) return { items: backend.findMessagesById(required(request.messageId, 'message_id')) };
  const page = pageOf(request);
  if (request.byKey) {
    return backend.findMessagesByKey(required(request.byKey.topic, 'by_key.topic'), required(request.byKey.key, 'by_key.key'), page);
  }
  const byTime = request.byTime!;
  const topic = required(byTime.topic, 'by_time.topic');
  const fromMs = timeOf(byTime.fromMs, 'by_time.from_ms');
  const toMs = timeOf(byTime.toMs, 'by_time.to_ms');
  if (toMs < fromMs) throw invalidArgument(`by_time.to_ms (${new Date(toMs).toISOString()}) is before by_time.from_ms (${new Date(fromMs).toISOString()})`);
  return backend.findMessagesByTime(topic, fromMs, toMs, page);
}
