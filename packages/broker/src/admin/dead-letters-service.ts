import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ListDeadLettersRequest, ListDeadLettersResponse, ResendDeadLetterRequest, ResendDeadLetterResponse } from '../client/admin-proto.js';
import { bodyBudget } from './body-budget.js';
import { fittedPage } from './fitted-page.js';
import type { BrokerAdminContext } from './context.js';
import { pageOf, required } from './requests.js';
import { unaryAdmin } from './unary.js';
import { deadLetterToWire } from './wire-views.js';

/** ListDeadLetters and ResendDeadLetter of `txmq.admin.v1.BrokerAdmin`. */
export function deadLetterHandlers(context: BrokerAdminContext): UntypedServiceImplementation {
  const { backend } = context;
  return {
    ListDeadLetters: unaryAdmin<ListDeadLettersRequest, ListDeadLettersResponse>(context, 'ListDeadLetters', (request) => {
      const group = required(request.group, 'group');
      const page = fittedPage(
        backend.listDeadLetters(group, pageOf(request)),
        () => bodyBudget(request.body, context.maxResponseBytes, true),
        deadLetterToWire,
        (pageSize) => backend.listDeadLetters(group, pageOf({ ...request, pageSize })),
      );
      return { deadLetters: page.items, nextPageToken: page.nextPageToken };
    }),
    ResendDeadLetter: unaryAdmin<ResendDeadLetterRequest, ResendDeadLetterResponse>(context, 'ResendDeadLetter', async (request) => {
      const group = required(request.group, 'group');
      const messageId = required(request.messageId, 'message_id');
      const result = await backend.resendDeadLetter(group, messageId);
      return { ...result };
    }),
  };
}
