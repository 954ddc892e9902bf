import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { BrokerAdminContext } from './context.js';
import { deadLetterHandlers } from './dead-letters-service.js';
import { groupHandlers } from './groups-service.js';
import { messageHandlers } from './messages-service.js';
import { topicHandlers } from './topics-service.js';

/**
 * The handlers of `txmq.admin.v1.BrokerAdmin` over an {@link BrokerAdminContext.backend}: topics,
 * groups (with their reset), message query and trace, dead letters.
 */
export function brokerAdminService(context: BrokerAdminContext): UntypedServiceImplementation {
  return { ...topicHandlers(context), ...groupHandlers(context), ...messageHandlers(context), ...deadLetterHandlers(context) };
}
