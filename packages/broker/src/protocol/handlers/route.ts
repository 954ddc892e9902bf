import { isIPv4 } from 'node:net';
import type { TopicMessageType } from '../../core/types.js';
import { AddressScheme, Permission } from '../../wire/enums.js';
import { qualify, requireName, toResource } from '../convert.js';
import { OK } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { Broker, Endpoints, MessageQueue, QueryAssignmentRequest, QueryRouteRequest } from '../../wire/types.js';
import type { Status } from '../wire-types.js';
import { unary } from './unary.js';
import { permit } from '../call-auth.js';
import { Code, WireMessageType } from '../codes.js';

export const BROKER_NAME = 'broker-0';

const ACCEPTS: Record<TopicMessageType, WireMessageType[]> = {
  NORMAL: [WireMessageType.NORMAL],
  FIFO: [WireMessageType.FIFO],
  DELAY: [WireMessageType.DELAY],
  TRANSACTION: [WireMessageType.TRANSACTION],
  MIXED: [WireMessageType.NORMAL, WireMessageType.FIFO, WireMessageType.DELAY, WireMessageType.TRANSACTION],
};

/**
 * The broker as the client should reach it: the address the client used to reach us (as
 * RocketMQ's proxy does), which is reachable by construction; else the listening address.
 */
function advertisedBroker(service: ServiceContext, requested: Endpoints | undefined): Broker {
  const address = requested?.addresses?.[0];
  const { host, port } = address?.host ? { host: address.host, port: address.port || 80 } : service.listenAddress();
  return {
    name: BROKER_NAME,
    id: 0,
    endpoints: { scheme: isIPv4(host) ? AddressScheme.IPv4 : AddressScheme.DOMAIN_NAME, addresses: [{ host, port }] },
  };
}

/** QueryRoute: one broker (this one), queues 0..N-1 readable and writable. */
export function queryRoute(service: ServiceContext) {
  return unary<QueryRouteRequest, { status: Status; messageQueues?: MessageQueue[] }>('QueryRoute', service, (request, ctx) => {
    const name = qualify(ctx.namespace, requireName(request.topic, 'topic.name', 'ILLEGAL_TOPIC'));
    permit(ctx, { kind: 'route', topic: name });
    const topic = service.core.topic(name);
    const broker = advertisedBroker(service, request.endpoints);
    const messageQueues = Array.from({ length: topic.queues }, (_, id): MessageQueue => ({
      topic: toResource(ctx.namespace, name),
      id,
      permission: Permission.READ_WRITE,
      broker,
      acceptMessageTypes: ACCEPTS[topic.messageType],
    }));
    return { status: OK, messageQueues };
  });
}

/**
 * QueryAssignment: every consumer of a group gets the same single assignment; the broker's
 * pop model spreads messages across the group's consumers.
 */
export function queryAssignment(service: ServiceContext) {
  return unary<QueryAssignmentRequest, { status: Status; assignments?: { messageQueue: MessageQueue }[] }>('QueryAssignment', service, (request, ctx) => {
    const topicName = qualify(ctx.namespace, requireName(request.topic, 'topic.name', 'ILLEGAL_TOPIC'));
    const groupName = qualify(ctx.namespace, requireName(request.group, 'group.name', 'ILLEGAL_CONSUMER_GROUP'));
    permit(ctx, { kind: 'sub', topic: topicName });
    permit(ctx, { kind: 'sub-group', group: groupName });
    service.core.group(groupName);
    const topic = service.core.topic(topicName);
    const messageQueue: MessageQueue = {
      topic: toResource(ctx.namespace, topicName),
      id: 0,
      permission: Permission.READ_WRITE,
      broker: advertisedBroker(service, request.endpoints),
      acceptMessageTypes: ACCEPTS[topic.messageType],
    };
    return { status: OK, assignments: [{ messageQueue }] };
  });
}
