import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ClientException } from 'rocketmq-client-nodejs';
import { BrokerError, BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError, InvalidRequestError } from '../errors.js';
import { STATUS_CODES, statusName } from '../status-codes.js';

/** Socket errors that mean nothing answered at the endpoint. */
const UNREACHABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT']);
/** `[request-id=..., response-code=40004] tag must not...`: how the official client words a status. */
const CLIENT_EXCEPTION_PREFIX = /^\[request-id=[^,\]]*, response-code=\d+\] /;
/** The official client checks a message's type against the topic's route itself, before sending. */
const TYPE_MISMATCH = /^Current message type not match with topic accept message types, topic=(.*), actualMessageType=(\d+), acceptMessageTypes=\[([\d,]*)\]/;
/** The official client checks the body against the limit the broker announced, before sending. */
const BODY_OVER_LIMIT = /^Message body size exceeds the threshold, max size=(\d+) bytes/;
/** The official client's wording of a refused recall (it does not go through its status checker). */
const RECALL_REFUSED = /^Failed to recall message: (.*) \(code: (\d+)\)$/;
/**
 * What the official client says (as a TypeError or a plain Error) when it refuses a message before
 * sending it (Message.js, PublishingMessage.js, Producer.js): the message itself is wrong, so no
 * retry helps. Any other local error may be a bug of the client and is not reported as permanent.
 */
const MESSAGE_REFUSED_LOCALLY = [
  /^Transactional message should not set /,
  /^priority must be greater than or equal to 0$/,
  /^priority is mutually exclusive with /,
  /^liteTopic is mutually exclusive with /,
  /^delay\/deliveryTimestamp is mutually exclusive with messageGroup$/,
  /^Messages to send have different (topics|types)=/,
  /^FIFO messages to send have message groups, /,
];
const MESSAGE_TYPES = ['UNSPECIFIED', 'NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'LITE', 'PRIORITY'];

/**
 * The {@link BrokerError} that says what `error` (thrown by the official client, by grpc-js, or by
 * a socket, possibly wrapped in `cause`s) means: the broker at `endpoint` was unreachable, did not
 * answer in time, or answered with a refusal. The original error is kept as `cause`.
 */
export function toBrokerError(error: unknown, endpoint: string): BrokerError {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const mapped = mapOne(e, endpoint, error);
    if (mapped) return mapped;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BrokerError('INTERNAL_ERROR', `the RocketMQ client failed talking to ${endpoint}: ${message}`, { cause: error });
}

/** What a gRPC status (not a RocketMQ one) means, for a call to `endpoint`. */
export function fromGrpcStatus(error: ServiceError, endpoint: string, cause: unknown = error): BrokerError {
  const details = error.details || error.message;
  const refused = (status: number) => new BrokerRefusedError(status, `the broker at ${endpoint} refused the call: ${error.code} ${GrpcStatus[error.code]}: ${details}`, { cause });
  switch (error.code) {
    case GrpcStatus.UNAVAILABLE:
    case GrpcStatus.CANCELLED:
      return new BrokerUnreachableError(endpoint, details, { cause });
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new BrokerTimeoutError(endpoint, details, { cause });
    case GrpcStatus.INVALID_ARGUMENT:
    case GrpcStatus.OUT_OF_RANGE:
      return refused(STATUS_CODES.BAD_REQUEST);
    case GrpcStatus.NOT_FOUND:
      return refused(STATUS_CODES.NOT_FOUND);
    case GrpcStatus.UNAUTHENTICATED:
      return refused(STATUS_CODES.UNAUTHORIZED);
    case GrpcStatus.PERMISSION_DENIED:
      return refused(STATUS_CODES.FORBIDDEN);
    case GrpcStatus.FAILED_PRECONDITION:
      return refused(STATUS_CODES.PRECONDITION_FAILED);
    case GrpcStatus.RESOURCE_EXHAUSTED:
      // grpc-js's own message-size cap ("larger than max") versus a throttling server.
      return refused(/larger than max/i.test(details) ? STATUS_CODES.PAYLOAD_TOO_LARGE : STATUS_CODES.TOO_MANY_REQUESTS);
    case GrpcStatus.UNIMPLEMENTED:
      return refused(STATUS_CODES.NOT_IMPLEMENTED);
    default:
      return refused(STATUS_CODES.INTERNAL_ERROR);
  }
}

function mapOne(e: Error, endpoint: string, original: unknown): BrokerError | undefined {
  if (e instanceof BrokerError) return e;
  if (e instanceof ClientException) {
    const detail = e.message.replace(CLIENT_EXCEPTION_PREFIX, '');
    return new BrokerRefusedError(e.code, `the broker at ${endpoint} refused the request with ${describeStatus(e.code)}: ${detail}`, { cause: original });
  }
  if (isServiceError(e)) return fromGrpcStatus(e, endpoint, original);
  const socketCode = (e as { code?: unknown }).code;
  if (typeof socketCode === 'string' && UNREACHABLE_SOCKET_CODES.has(socketCode)) {
    return new BrokerUnreachableError(endpoint, e.message, { cause: original });
  }
  const mismatch = TYPE_MISMATCH.exec(e.message);
  if (mismatch) {
    const accepted = mismatch[3]!.split(',').filter(Boolean).map((n) => MESSAGE_TYPES[Number(n)] ?? n).join(' or ');
    return new BrokerRefusedError(
      STATUS_CODES.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE,
      `the broker at ${endpoint} serves topic ${mismatch[1]} for ${accepted} messages only, not ${MESSAGE_TYPES[Number(mismatch[2])] ?? mismatch[2]} ones`,
      { cause: original },
    );
  }
  const overLimit = BODY_OVER_LIMIT.exec(e.message);
  if (overLimit) {
    return new BrokerRefusedError(STATUS_CODES.MESSAGE_BODY_TOO_LARGE, `the broker at ${endpoint} accepts bodies of at most ${overLimit[1]} bytes`, { cause: original });
  }
  const recall = RECALL_REFUSED.exec(e.message);
  if (recall) {
    const status = Number(recall[2]);
    return new BrokerRefusedError(status, `the broker at ${endpoint} refused the recall with ${describeStatus(status)}: ${recall[1]}`, { cause: original });
  }
  if (MESSAGE_REFUSED_LOCALLY.some((pattern) => pattern.test(e.message))) {
    return new InvalidRequestError('BAD_REQUEST', `the RocketMQ client refused the message: ${e.message}`, { cause: original });
  }
  return undefined;
}

function isServiceError(e: Error): e is ServiceError {
  const candidate = e as Partial<ServiceError>;
  return typeof candidate.code === 'number' && candidate.code >= 0 && candidate.code <= 16 && typeof candidate.details === 'string' && 'metadata' in candidate;
}

function describeStatus(status: number): string {
  const name = statusName(status);
  return name ? `${status} ${name}` : String(status);
}
