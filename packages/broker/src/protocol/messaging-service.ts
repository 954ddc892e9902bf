import type { UntypedHandleCall } from '@grpc/grpc-js';
import { ackMessage, changeInvisibleDuration, forwardToDeadLetterQueue } from './handlers/consumer.js';
import { endTransaction, recallMessage, sendMessage } from './handlers/producer.js';
import { receiveMessage } from './handlers/receive.js';
import { queryRoute, queryAssignment } from './handlers/route.js';
import { heartbeat, notifyClientTermination } from './handlers/session.js';
import { telemetry } from './handlers/telemetry.js';
import { loadMessagingService } from './proto.js';
import type { ServiceContext } from './service-context.js';
import { withUnimplemented, type ServedService } from './unimplemented.js';

/** The handler of each RPC txmq serves. */
const HANDLERS = {
  QueryRoute: queryRoute,
  Heartbeat: heartbeat,
  SendMessage: sendMessage,
  QueryAssignment: queryAssignment,
  ReceiveMessage: receiveMessage,
  AckMessage: ackMessage,
  ForwardMessageToDeadLetterQueue: forwardToDeadLetterQueue,
  EndTransaction: endTransaction,
  Telemetry: telemetry,
  NotifyClientTermination: notifyClientTermination,
  ChangeInvisibleDuration: changeInvisibleDuration,
  RecallMessage: recallMessage,
} satisfies Record<string, (service: ServiceContext) => UntypedHandleCall>;

/** The RPCs of `apache.rocketmq.v2.MessagingService` txmq serves; the others answer UNIMPLEMENTED. */
export const IMPLEMENTED_RPCS: readonly string[] = Object.keys(HANDLERS);

/**
 * `apache.rocketmq.v2.MessagingService`: its definition and handlers. The RPCs txmq does not
 * serve (pull and offset RPCs, lite subscriptions) answer UNIMPLEMENTED at once.
 */
export function messagingService(service: ServiceContext): ServedService {
  const implementation = Object.fromEntries(Object.entries(HANDLERS).map(([rpc, handler]) => [rpc, handler(service)]));
  return withUnimplemented(loadMessagingService(), implementation, (rpc) =>
    rpc === 'SyncLiteSubscription'
      ? 'lite topics are not supported'
      : 'RocketMQ 5 clients use the pop model (ReceiveMessage) instead',
  );
}
