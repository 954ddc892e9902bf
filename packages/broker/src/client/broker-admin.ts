import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { BrokerRefusedError, InvalidRequestError, NotFoundError, type BrokerError, type BrokerErrorCode } from '../errors.js';
import { STATUS_CODES } from '../status-codes.js';
import { openAdminChannel } from './admin-channel.js';
import { deadLetterFromWire, groupFromWire, messageFromWire, topicFromWire, traceFromWire } from './admin-from-wire.js';
import {
  ERROR_CODE_METADATA,
  loadBrokerAdmin,
  type GroupResponse,
  type ListDeadLettersResponse,
  type ListGroupsResponse,
  type ListTopicsResponse,
  type QueryMessagesRequest,
  type QueryMessagesResponse,
  type ResendDeadLetterResponse,
  type ResetGroupResponse,
  type TopicResponse,
  type TraceMessageResponse,
  type WireGroupChange,
} from './admin-proto.js';
import { checkBodyOptions, checkGroupUpdate, checkPageOptions, checkTopicUpdate, timeMs } from './admin-request-checks.js';
import type { AdminPageOptions, BodyOptions, BrokerAdmin, BrokerAdminOptions, GroupUpdate, MessageQuery, TopicUpdate } from './admin-types.js';
import { fromGrpcStatus } from './error-mapping.js';

/**
 * Creates a client of a running broker's operator API (`txmq.admin.v1.BrokerAdmin`): topics and
 * consumer groups (list, describe with lag and in-flight counts, create, update), message query by
 * id, key or store time, a message's trace, dead letters (list, resend) and group resets. Does no
 * I/O: it connects on the first call (or on `start()`).
 *
 * Errors: what does not exist rejects with {@link NotFoundError} (`TOPIC_NOT_FOUND`,
 * `CONSUMER_GROUP_NOT_FOUND`, `MESSAGE_NOT_FOUND`...), a malformed request or one that conflicts
 * with the broker's state (creating what exists) with {@link InvalidRequestError}, both with the
 * broker's code and message; an argument it could not take (an invalid `Date` or one before 1970,
 * a page size that is not an integer from 1 to 1000) rejects with `ConfigError` before anything is
 * sent; an unreachable broker with `BrokerUnreachableError`, a call that got
 * no answer in time with `BrokerTimeoutError`, and a server without this API with
 * {@link BrokerRefusedError} (`NOT_IMPLEMENTED`). A broker with an `acl` refuses unsigned or
 * wrongly signed calls with {@link BrokerRefusedError} `UNAUTHORIZED` (status 40100) and calls of
 * a user without `admin: true` with `FORBIDDEN` (40300), as it refuses the messaging clients; pass
 * `credentials` (and `sslEnabled` / `tlsRootCertFile` for a TLS port).
 *
 * @example
 * ```ts
 * const admin = createBrokerAdmin({ endpoints: '127.0.0.1:8081' });
 * for (const group of (await admin.listGroups()).items) console.log(group.name, group.lag);
 * const trace = await admin.traceMessage(messageId);
 * await admin.close();
 * ```
 */
export function createBrokerAdmin(options: BrokerAdminOptions = {}): BrokerAdmin {
  const channel = openAdminChannel('broker admin', loadBrokerAdmin, options, fromServiceError);
  const call = <Res>(rpc: string, request: object) => channel.call<Res>(rpc, request);
  const page = (options: AdminPageOptions = {}) => {
    checkPageOptions(options);
    return { pageSize: options.pageSize ?? 0, pageToken: options.pageToken ?? '' };
  };
  const body = (options: BodyOptions = {}) => {
    checkBodyOptions(options);
    return { previewBytes: options.previewBytes ?? 0, fullBody: options.fullBody ?? false };
  };
  const next = (token: string) => (token ? { nextPageToken: token } : {});
  const topicRequest = (name: string, settings: TopicUpdate = {}) => {
    checkTopicUpdate(settings);
    return { name, queues: settings.queues ?? 0, messageType: settings.messageType ?? 'MESSAGE_TYPE_UNSPECIFIED' };
  };
  const groupRequest = (name: string, settings: GroupUpdate = {}) => {
    checkGroupUpdate(settings);
    return { name, settings: groupChange(settings) };
  };

  return {
    endpoint: channel.endpoint,
    start: () => channel.start(),
    async listTopics(options) {
      const response = await call<ListTopicsResponse>('ListTopics', page(options));
      return { items: response.topics.map(topicFromWire), ...next(response.nextPageToken) };
    },
    describeTopic: async (name) => topicFromWire((await call<TopicResponse>('DescribeTopic', { name })).topic),
    createTopic: async (name, settings) => topicFromWire((await call<TopicResponse>('CreateTopic', topicRequest(name, settings))).topic),
    updateTopic: async (name, settings) => topicFromWire((await call<TopicResponse>('UpdateTopic', topicRequest(name, settings))).topic),
    async listGroups(options) {
      const response = await call<ListGroupsResponse>('ListGroups', page(options));
      return { items: response.groups.map(groupFromWire), ...next(response.nextPageToken) };
    },
    describeGroup: async (name) => groupFromWire((await call<GroupResponse>('DescribeGroup', { name })).group),
    createGroup: async (name, settings) => groupFromWire((await call<GroupResponse>('CreateGroup', groupRequest(name, settings))).group),
    updateGroup: async (name, settings) => groupFromWire((await call<GroupResponse>('UpdateGroup', groupRequest(name, settings))).group),
    async queryMessages(query, options = {}) {
      const request: QueryMessagesRequest = { ...queryFields(query), ...page(options), body: body(options) };
      const response = await call<QueryMessagesResponse>('QueryMessages', request);
      return { items: response.messages.map(messageFromWire), ...next(response.nextPageToken) };
    },
    async traceMessage(messageId) {
      const response = await call<TraceMessageResponse>('TraceMessage', { messageId });
      return traceFromWire(response.messageId, response.events);
    },
    async listDeadLetters(group, options = {}) {
      const response = await call<ListDeadLettersResponse>('ListDeadLetters', { group, ...page(options), body: body(options) });
      return { items: response.deadLetters.map(deadLetterFromWire), ...next(response.nextPageToken) };
    },
    async resendDeadLetter(group, messageId) {
      const response = await call<ResendDeadLetterResponse>('ResendDeadLetter', { group, messageId });
      return { messageId: response.messageId, topic: response.topic, offset: response.offset };
    },
    async resetGroup(group, to, options = {}) {
      const target = to === 'end' ? { end: true } : { timeMs: timeMs('to', to) };
      const response = await call<ResetGroupResponse>('ResetGroup', { group, ...target, topic: options.topic ?? '' });
      return { group: response.group, subscriptions: response.subscriptions.map((s) => ({ topic: s.topic, consumer: s.consumer, from: s.fromOffset, to: s.toOffset })) };
    },
    async close() {
      channel.close();
    },
  };
}

function queryFields(query: MessageQuery): Pick<QueryMessagesRequest, 'messageId' | 'byKey' | 'byTime'> {
  if ('messageId' in query) return { messageId: query.messageId };
  if ('key' in query) return { byKey: { topic: query.topic, key: query.key } };
  return { byTime: { topic: query.topic, fromMs: timeMs('from', query.from), toMs: timeMs('to', query.to) } };
}

function groupChange(settings: GroupUpdate): WireGroupChange {
  const { retryBackoff } = settings;
  return {
    ...(settings.fifo !== undefined && { fifo: settings.fifo }),
    ...(settings.broadcast !== undefined && { broadcast: settings.broadcast }),
    ...(settings.maxDeliveryAttempts !== undefined && { maxDeliveryAttempts: settings.maxDeliveryAttempts }),
    ...(retryBackoff?.initialMs !== undefined && { retryInitialMs: retryBackoff.initialMs }),
    ...(retryBackoff?.maxMs !== undefined && { retryMaxMs: retryBackoff.maxMs }),
    ...(retryBackoff?.multiplier !== undefined && { retryMultiplier: retryBackoff.multiplier }),
  };
}

/** The broker's own error code from the refusal's trailer, when it sent a well-formed one. */
function errorCodeOf(error: ServiceError): BrokerErrorCode | undefined {
  const [value] = error.metadata?.get(ERROR_CODE_METADATA) ?? [];
  return typeof value === 'string' && /^[A-Z][A-Z_]*$/.test(value) ? (value as BrokerErrorCode) : undefined;
}

function fromServiceError(error: ServiceError, endpoint: string): BrokerError {
  const details = error.details || error.message;
  const code = errorCodeOf(error);
  switch (error.code) {
    case GrpcStatus.NOT_FOUND:
      return new NotFoundError(code ?? 'NOT_FOUND', details, { cause: error });
    case GrpcStatus.INVALID_ARGUMENT:
      return new InvalidRequestError(code ?? 'BAD_REQUEST', details, { cause: error });
    case GrpcStatus.FAILED_PRECONDITION:
      return new InvalidRequestError(code ?? 'PRECONDITION_FAILED', details, { cause: error });
    case GrpcStatus.UNIMPLEMENTED:
      return new BrokerRefusedError(STATUS_CODES.NOT_IMPLEMENTED, `the server at ${endpoint} does not serve txmq's admin API (is it a txmq broker of this version?): ${details}`, { cause: error });
    default:
      return fromGrpcStatus(error, endpoint);
  }
}
