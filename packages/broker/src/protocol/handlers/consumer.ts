import type { AckResult } from '../../core/broker-core.js';
import { InvalidRequestError } from '../../errors.js';
import { Code } from '../codes.js';
import { qualify, requireName, toMillis } from '../convert.js';
import { OK, statusOf } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { AckMessageRequest, ChangeInvisibleDurationRequest, ForwardMessageToDeadLetterQueueRequest, Resource } from '../../wire/types.js';
import type { Status } from '../wire-types.js';
import { permit } from '../call-auth.js';
import type { CallContext } from '../call-context.js';
import { unary } from './unary.js';

/** The (qualified) group and topic of a consumer's request, once the caller may consume them. */
function groupAndTopic(ctx: CallContext, group: Resource | undefined, topic: Resource | undefined): [string, string] {
  const groupName = qualify(ctx.namespace, requireName(group, 'group.name', 'ILLEGAL_CONSUMER_GROUP'));
  const topicName = qualify(ctx.namespace, requireName(topic, 'topic.name', 'ILLEGAL_TOPIC'));
  permit(ctx, { kind: 'sub-group', group: groupName });
  permit(ctx, { kind: 'sub', topic: topicName });
  return [groupName, topicName];
}

function requireHandle(handle: string | undefined): string {
  if (!handle) throw new InvalidRequestError('INVALID_RECEIPT_HANDLE', 'receipt_handle is required');
  return handle;
}

interface AckResultEntry { messageId: string; receiptHandle: string; status: Status }

/** AckMessage: the entries are acknowledged in one durable commit; top-level status OK only when every entry was. */
export function ackMessage(service: ServiceContext) {
  return unary<AckMessageRequest, { status: Status; entries?: AckResultEntry[] }>('AckMessage', service, async (request, ctx) => {
    const [group, topic] = groupAndTopic(ctx, request.group, request.topic);
    const requested = request.entries ?? [];
    if (requested.length === 0) throw new InvalidRequestError('BAD_REQUEST', 'AckMessage needs at least one entry');
    const handles: string[] = [];
    const missing = new Map<number, unknown>();
    requested.forEach((entry, index) => {
      try {
        handles.push(requireHandle(entry.receiptHandle));
      } catch (error) {
        missing.set(index, error);
      }
    });
    const results = await service.core.ackBatch(group, topic, handles);
    let next = 0;
    const entries = requested.map((entry, index): AckResultEntry => {
      const result = { messageId: entry.messageId ?? '', receiptHandle: entry.receiptHandle ?? '' };
      const outcome: AckResult = missing.has(index) ? { ok: false, error: missing.get(index) } : results[next++]!;
      return { ...result, status: outcome.ok ? OK : statusOf(outcome.error, service.log, 'AckMessage') };
    });
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
