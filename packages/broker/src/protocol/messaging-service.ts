import { status as GrpcStatus, type ServiceError, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { ackMessage, changeInvisibleDuration, forwardToDeadLetterQueue } from './handlers/consumer.js';
import { endTransaction, recallMessage, sendMessage } from './handlers/producer.js';
import { receiveMessage } from './handlers/receive.js';
import { queryAssignment, queryRoute } from './handlers/route.js';
import { heartbeat, notifyClientTermination } from './handlers/session.js';
import { telemetry } from './handlers/telemetry.js';
import type { ServiceContext } from './service-context.js';

const NOT_IMPLEMENTED = ['PullMessage', 'UpdateOffset', 'GetOffset', 'QueryOffset', 'SyncLiteSubscription'] as const;

/** The handlers of `apache.rocketmq.v2.MessagingService`. */
export function messagingService(service: ServiceContext): UntypedServiceImplementation {
  const implementation: UntypedServiceImplementation = {
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
  for (const rpc of NOT_IMPLEMENTED) {
    implementation[rpc] = (call: { emit?: unknown }, callback?: (error: ServiceError) => void) => {
      const error = Object.assign(new Error(`${rpc} is not implemented by txmq: RocketMQ 5 clients use the pop model (ReceiveMessage) instead`), {
        code: GrpcStatus.UNIMPLEMENTED,
        details: `${rpc} is not implemented by txmq`,
        metadata: undefined,
      }) as unknown as ServiceError;
      if (callback) callback(error);
      else (call as unknown as { destroy(e: Error): void }).destroy(error);
    };
  }
  return implementation;
}
