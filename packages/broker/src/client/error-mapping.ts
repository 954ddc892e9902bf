import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { BrokerError, BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError } from '../errors.js';
import { STATUS_CODES, statusName } from '../status-codes.js';

/** Socket errors that mean nothing answered at the endpoint. */
const UNREACHABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT']);

/**
 * The {@link BrokerError} that says what `error` (thrown by grpc-js or by a socket, possibly
 * wrapped in `cause`s) means: the broker at `endpoint` was unreachable, did not answer in time, or
 * answered with a refusal. `more` maps errors of other origins first. The original error is kept as `cause`.
 */
export function toBrokerError(error: unknown, endpoint: string, more?: (e: Error, original: unknown) => BrokerError | undefined): BrokerError {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const mapped = (e instanceof BrokerError ? e : undefined) ?? more?.(e, error) ?? mapTransport(e, endpoint, error);
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

/** The refusal a RocketMQ in-band status (`code`, `message`) of the broker at `endpoint` reports. */
export function fromRocketMqStatus(code: number, message: string, endpoint: string, what = 'the request', cause?: unknown): BrokerRefusedError {
  return new BrokerRefusedError(code, `the broker at ${endpoint} refused ${what} with ${describeStatus(code)}: ${message}`, cause === undefined ? undefined : { cause });
}

/** `40004 ILLEGAL_MESSAGE_TAG`, or the bare number of an unknown status. */
export function describeStatus(status: number): string {
  const name = statusName(status);
  return name ? `${status} ${name}` : String(status);
}

/** Whether `e` is a grpc-js call failure. */
export function isServiceError(e: unknown): e is ServiceError {
  if (!(e instanceof Error)) return false;
  const candidate = e as Partial<ServiceError>;
  return typeof candidate.code === 'number' && candidate.code >= 0 && candidate.code <= 16 && typeof candidate.details === 'string' && 'metadata' in candidate;
}

function mapTransport(e: Error, endpoint: string, original: unknown): BrokerError | undefined {
  if (isServiceError(e)) return fromGrpcStatus(e, endpoint, original);
  const socketCode = (e as { code?: unknown }).code;
  if (typeof socketCode === 'string' && UNREACHABLE_SOCKET_CODES.has(socketCode)) {
    return new BrokerUnreachableError(endpoint, e.message, { cause: original });
  }
  return undefined;
}
