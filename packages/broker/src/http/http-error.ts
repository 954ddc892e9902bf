import { BrokerError, InvalidRequestError, NotFoundError } from '../errors.js';

/** A request the HTTP API refuses, with the status it answers and a stable `code`. */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (`Allow` of a 405, `WWW-Authenticate` of a 401). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra fields of the JSON error (`reason` of a 401, `resource` and `right` of a 403). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** A parameter of the request is missing or malformed: 400 BAD_REQUEST. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, 'BAD_REQUEST', message);
}

/**
 * The HTTP status and JSON error of a failure: 404 for {@link NotFoundError}, 400 for
 * {@link InvalidRequestError} and other refusals of the broker, 500 (`unexpected`) for the rest.
 */
export function errorResponse(error: unknown): {
  status: number;
  code: string;
  message: string;
  headers: Readonly<Record<string, string>>;
  details?: Readonly<Record<string, string>>;
  unexpected: boolean;
} {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message, headers: error.headers, details: error.details, unexpected: false };
  if (error instanceof NotFoundError) return { status: 404, code: error.code, message: error.message, headers: {}, unexpected: false };
  if (error instanceof InvalidRequestError) return { status: 400, code: error.code, message: error.message, headers: {}, unexpected: false };
  if (error instanceof BrokerError && error.code !== 'STORE_FAILURE') return { status: 400, code: error.code, message: error.message, headers: {}, unexpected: false };
  const message = `internal error: ${(error as Error)?.message ?? String(error)}`;
  return { status: 500, code: 'INTERNAL_ERROR', message, headers: {}, unexpected: true };
}
