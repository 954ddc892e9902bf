import type { ServerWritableStream } from '@grpc/grpc-js';
import { AUTO_RENEW_INVISIBLE_MS } from '../../core/deliveries.js';
import { InvalidRequestError } from '../../errors.js';
import { permit } from '../call-auth.js';
import { callContext } from '../call-context.js';
import { Code } from '../codes.js';
import { fromMillis, messageToWire, qualify, requireName, toMillis } from '../convert.js';
import { filterOf } from '../filter-expression.js';
import { OK, statusOf } from '../respond.js';
import { observeRpc, type ServiceContext } from '../service-context.js';
import type { ReceiveMessageRequest, Timestamp } from '../../wire/types.js';
import type { Status, WireMessage } from '../wire-types.js';

type ReceiveFrame = { status: Status } | { message: WireMessage } | { deliveryTimestamp: Timestamp };

/** Longest long poll (RocketMQ's proxy clamps to 20 s). */
const MAX_LONG_POLL_MS = 20_000;
/** Answer this long before the client's deadline, so the reply is not lost to DEADLINE_EXCEEDED. */
const DEADLINE_RESERVE_MS = 200;
const MAX_BATCH = 32;
const RECEIVE_ENDED = new Error('receive ended');

/**
 * ReceiveMessage: long-polls for messages of (group, topic) and streams
 * `status`, one frame per message, `delivery_timestamp`, then completes.
 */
export function receiveMessage(service: ServiceContext) {
  const { onRpc } = service;
  return (call: ServerWritableStream<ReceiveMessageRequest, ReceiveFrame>) => {
    const started = onRpc ? performance.now() : 0;
    const abort = new AbortController();
    let finished = false;
    // A reason of our own: abort() without one builds a DOMException with a stack trace, and the
    // client ends (cancels) every stream it has read to the end.
    const stop = () => finished || abort.abort(RECEIVE_ENDED);
    service.shutdown.addEventListener('abort', stop);
    call.on('cancelled', stop);
    const finish = (frames: ReceiveFrame[]) => {
      finished = true;
      service.shutdown.removeEventListener('abort', stop);
      const first = frames[0];
      const seconds = onRpc ? (performance.now() - started) / 1000 : 0;
      if (call.cancelled) {
        // The client is gone (deadline, disconnect): nothing reached it, so give the messages back.
        const handles = frames.flatMap((f) => ('message' in f && f.message.systemProperties?.receiptHandle ? [f.message.systemProperties.receiptHandle] : []));
        service.core.releaseUndelivered(handles).catch((error: unknown) => service.log.error({ err: error }, 'releasing undelivered messages failed'));
        return;
      }
      for (const frame of frames) call.write(frame);
      call.end();
      observeRpc(service, 'ReceiveMessage', first && 'status' in first ? first.status.code : Code.OK, seconds);
    };
    receive(service, call, abort.signal).then(finish, (error: unknown) => {
      finish([{ status: statusOf(error, service.log, 'ReceiveMessage') }]);
    });
  };
}

async function receive(service: ServiceContext, call: ServerWritableStream<ReceiveMessageRequest, ReceiveFrame>, signal: AbortSignal): Promise<ReceiveFrame[]> {
  const { core } = service;
  const request = call.request;
  const ctx = callContext(call, service.auth, 'ReceiveMessage');
  const group = qualify(ctx.namespace, requireName(request.group, 'group.name', 'ILLEGAL_CONSUMER_GROUP'));
  const topic = qualify(ctx.namespace, requireName(request.messageQueue?.topic, 'message_queue.topic.name', 'ILLEGAL_TOPIC'));
  permit(ctx, { kind: 'sub', topic });
  permit(ctx, { kind: 'sub-group', group });
  const filter = filterOf(request.filterExpression);
  const invisibleMs = request.autoRenew ? AUTO_RENEW_INVISIBLE_MS : toMillis(request.invisibleDuration);
  if (invisibleMs === undefined) throw new InvalidRequestError('ILLEGAL_INVISIBLE_TIME', 'invisible_duration is required unless auto_renew is set');
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  const untilDeadline = Number.isFinite(deadlineMs) ? deadlineMs - Date.now() - DEADLINE_RESERVE_MS : Infinity;
  const waitMs = Math.max(0, Math.min(toMillis(request.longPollingTimeout) ?? MAX_LONG_POLL_MS, MAX_LONG_POLL_MS, untilDeadline));
  const batchSize = request.batchSize && request.batchSize > 0 ? Math.min(request.batchSize, MAX_BATCH) : MAX_BATCH;

  const deliveries = await core.receive({
    group, topic, filter, batchSize, invisibleMs, waitMs, signal,
    autoRenew: request.autoRenew ?? false,
    clientId: ctx.clientId,
    attemptId: request.attemptId,
  });
  const now = fromMillis(Date.now());
  if (deliveries.length === 0) {
    return [{ status: { code: Code.MESSAGE_NOT_FOUND, message: 'no new message' } }, { deliveryTimestamp: now }];
  }
  const storeHost = addressOf(service);
  return [
    { status: OK },
    ...deliveries.map((d) => ({
      message: messageToWire(d.message, ctx.namespace, storeHost, { receiptHandle: d.receiptHandle, attempt: d.attempt, invisibleMs }),
    })),
    { deliveryTimestamp: now },
  ];
}

export function addressOf(service: ServiceContext): string {
  const { host, port } = service.listenAddress();
  return `${host}:${port}`;
}
