import { ackMessage, changeInvisibleDuration, forwardToDeadLetterQueue } from './handlers/consumer.js';
import { endTransaction, recallMessage, sendMessage } from './handlers/producer.js';
import { receiveMessage } from './handlers/receive.js';
import { queryRoute, queryAssignment } from './handlers/route.js';
import { heartbeat, notifyClientTermination } from './handlers/session.js';
import { telemetry } from './handlers/telemetry.js';
import { loadMessagingService } from './proto.js';
import type { ServiceContext } from './service-context.js';
import { withUnimplemented, type ServedService } from './unimplemented.js';

/**
 * `apache.rocketmq.v2.MessagingService`: its definition and handlers. The RPCs txmq does not
 * serve (pull and offset RPCs, lite subscriptions) answer UNIMPLEMENTED at once.
 */
export function messagingService(service: ServiceContext): ServedService {
  const implementation = {
    QueryRoute: queryRoute(service),
    Heartbeat: heartbeat(service),
    SendMessage: sendMessage(service),
    QueryAssignment: queryAssignment(service),
    ReceiveMessage: receiveMessage(service),
    AckMessage: ackMessage(service),
    ForwardMessageToDeadLetterQueue: forwardToDeadLetterQueue(service),
    EndTransaction: endTransaction(service),
    Telemetry: telemetry(service),
    NotifyClientTermination: notifyClientTermination(service),
    ChangeInvisibleDuration: changeInvisibleDuration(service),
    RecallMessage: recallMessage(service),
  };
  return withUnimplemented(loadMessagingService(), implementation, (rpc) =>
    rpc === 'SyncLiteSubscription'
      ? 'lite topics are not supported'
      : 'RocketMQ 5 clients use the pop model (ReceiveMessage) instead',
  );
}
