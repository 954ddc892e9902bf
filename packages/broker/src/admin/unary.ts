import { status as GrpcStatus, Metadata, type handleUnaryCall, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ERROR_CODE_METADATA } from '../client/admin-proto.js';
import { authenticateIncoming, type CallAuthenticator } from '../auth/call-auth.js';
import { requirePermission } from '../auth/permissions.js';
import { AuthenticationError, BrokerError, InvalidRequestError, NotFoundError, PermissionDeniedError, type BrokerErrorCode } from '../errors.js';

/** What every admin handler needs besides its backend. */
export interface AdminCallContext {
  readonly log: Logger;
  /** Aborted when the broker begins shutting down: calls are then refused with UNAVAILABLE. */
  readonly shutdown: AbortSignal;
  /**
   * Under an `acl`: every call must be signed (as the RocketMQ services' calls are, freshly) by a
   * user with `admin: true`. Undefined on an open broker: every call is served.
   */
  readonly auth?: CallAuthenticator | undefined;
}

/** A refusal the admin API reports with `code`; `errorCode` goes to the `txmq-error-code` trailer. */
export class AdminCallError extends Error {
  constructor(
    readonly code: GrpcStatus,
    message: string,
    readonly errorCode?: BrokerErrorCode,
  ) {
    super(message);
  }
}

/** An INVALID_ARGUMENT refusal of a malformed request. */
export function invalidArgument(message: string): AdminCallError {
  return new AdminCallError(GrpcStatus.INVALID_ARGUMENT, message, 'BAD_REQUEST');
}

/**
 * The backend's conflicts with the broker's state: these `InvalidRequestError` codes map to
 * FAILED_PRECONDITION, every other `InvalidRequestError` (a malformed name or value) to INVALID_ARGUMENT.
 */
const CONFLICT_CODES: ReadonlySet<BrokerErrorCode> = new Set<BrokerErrorCode>(['PRECONDITION_FAILED', 'INVALID_TRANSACTION_ID']);

/**
 * A gRPC unary handler running `handle`: refused with UNAVAILABLE once the broker is shutting down;
 * under an `acl` ({@link AdminCallContext.auth}) with UNAUTHENTICATED unless the call is signed by
 * a known user (the refusal counted and logged, surface `admin`) and PERMISSION_DENIED unless that
 * user has the admin right; otherwise with the status {@link toServiceError} maps a failure to.
 */
export function unaryAdmin<Req, Res>(context: AdminCallContext, rpc: string, handle: (request: Req) => Res | Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => {
        if (context.shutdown.aborted) throw new AdminCallError(GrpcStatus.UNAVAILABLE, 'the broker is shutting down');
        if (context.auth) requirePermission(authenticateIncoming(context.auth, call, { surface: 'admin', operation: rpc }), { kind: 'admin' });
        return handle(call.request);
      })
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error, context.log, rpc)),
      );
  };
}

/**
 * The status an admin call fails with: NotFoundError is NOT_FOUND, InvalidRequestError INVALID_ARGUMENT
 * (FAILED_PRECONDITION for a conflict, see {@link CONFLICT_CODES}), AuthenticationError
 * UNAUTHENTICATED, PermissionDeniedError PERMISSION_DENIED, anything unexpected INTERNAL (and logged).
 * An authentication refusal is not logged here: the broker's `AuthFailures` logs those, rate-limited.
 */
export function toServiceError(error: unknown, log: Logger, rpc: string): Partial<ServiceError> {
  let code: GrpcStatus;
  let errorCode: BrokerErrorCode | undefined;
  if (error instanceof AdminCallError) {
    code = error.code;
    errorCode = error.errorCode;
  } else if (error instanceof AuthenticationError) {
    code = GrpcStatus.UNAUTHENTICATED;
  } else if (error instanceof PermissionDeniedError) {
    code = GrpcStatus.PERMISSION_DENIED;
  } else if (error instanceof NotFoundError) {
    code = GrpcStatus.NOT_FOUND;
  } else if (error instanceof InvalidRequestError) {
    code = CONFLICT_CODES.has(error.code) ? GrpcStatus.FAILED_PRECONDITION : GrpcStatus.INVALID_ARGUMENT;
  } else {
    log.error({ rpc, err: error }, 'admin request failed');
    code = GrpcStatus.INTERNAL;
  }
  if (error instanceof BrokerError) errorCode = error.code;
  // What failed inside the broker stays in its log: the caller learns only that it did.
  const message = code === GrpcStatus.INTERNAL ? 'internal error (see the broker log)' : ((error as Error)?.message ?? String(error));
  if (code !== GrpcStatus.INTERNAL && code !== GrpcStatus.UNAUTHENTICATED) log.info({ rpc, code: GrpcStatus[code], reason: message }, 'admin request refused');
  const metadata = new Metadata();
  if (errorCode) metadata.set(ERROR_CODE_METADATA, errorCode);
  return { code, details: message, message, metadata };
}
