import { InvalidRequestError } from '../../errors.js';
import { Code } from '../codes.js';
import { qualify, requireName, toMillis } from '../convert.js';
import { OK, statusOf } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { AckMessageRequest, ChangeInvisibleDurationRequest, ForwardMessageToDeadLetterQueueRequest, Resource, Status } from '../wire-types.js';
import type { CallContext } from '../call-context.js';
import { unary } from './unary.js';

function groupAndTopic(ctx: CallContext, group: Resource | undefined, topic: Resource | undefined): [string, string] {
  return [
    qualify(ctx.namespace, requireName(group, 'group.name', 'ILLEGAL_CONSUMER_GROUP')),
    qualify(ctx.namespace, requireName(topic, 'topic.name', 'ILLEGAL_TOPIC')),
  ];
}

function requireHandle(handle: string | undefined): string {
  if (!handle) throw new InvalidRequestError('INVALID_RECEIPT_HANDLE', 'receipt_handle is required');
  return handle;
}

interface AckResultEntry { messageId: string; receiptHandle: string; status: Status }

/** AckMessage: top-level status OK only when every entry was acknowledged. */
export function ackMessage(service: ServiceContext) {
  return unary<AckMessageRequest, { status: Status; entries?: AckResultEntry[] }>('AckMessage', service, async (request, ctx) => {
    const [group, topic] = groupAndTopic(ctx, request.group, request.topic);
    const entries = await Promise.all(
      (request.entries ?? []).map(async (entry): Promise<AckResultEntry> => {
        const result = { messageId: entry.messageId ?? '', receiptHandle: entry.receiptHandle ?? '' };
        try {
          await service.core.ack(group, topic, requireHandle(entry.receiptHandle));
          return { ...result, status: OK };
        } catch (error) {
          return { ...result, status: statusOf(error, service.log, 'AckMessage') };
        }
      }),
    );
    if (entries.length === 0) throw new InvalidRequestError('BAD_REQUEST', 'AckMessage needs at least one entry');
    const failed = entries.find((e) => e.status.code !== Code.OK);
    return { status: failed ? failed.status : OK, entries };
  });
}

/** ChangeInvisibleDuration: postpone (or, with 0, request) redelivery; returns the new receipt handle. */
export function changeInvisibleDuration(service: ServiceContext) {
  return unary<ChangeInvisibleDurationRequest, { status: Status; receiptHandle?: string }>('ChangeInvisibleDuration', service, async (request, ctx) => {
    const [group, topic] = groupAndTopic(ctx, request.group, request.topic);
    const invisibleMs = toMillis(request.invisibleDuration);
    if (invisibleMs === undefined) throw new InvalidRequestError('ILLEGAL_INVISIBLE_TIME', 'invisible_duration is required');
    const receiptHandle = await service.core.changeInvisibleDuration(group, topic, requireHandle(request.receiptHandle), invisibleMs);
    return { status: OK, receiptHandle };
  });
}

/** ForwardMessageToDeadLetterQueue: the FIFO push consumer gave up on a message. */
export function forwardToDeadLetterQueue(service: ServiceContext) {
  return unary<ForwardMessageToDeadLetterQueueRequest, { status: Status }>('ForwardMessageToDeadLetterQueue', service, async (request, ctx) => {
    const [group, topic] = groupAndTopic(ctx, request.group, request.topic);
    await service.core.forwardToDeadLetter(group, topic, requireHandle(request.receiptHandle));
    return { status: OK };
  });
}
