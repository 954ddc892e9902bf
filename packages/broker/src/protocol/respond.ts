import type { Logger } from 'pino';
import { AuthenticationError, isBrokerError } from '../errors.js';
import { Code } from './codes.js';
import type { Status } from './wire-types.js';

export const OK: Status = { code: Code.OK, message: 'OK' };

/** The in-band status for a failure; unexpected errors are logged and reported as INTERNAL_SERVER_ERROR. */
export function statusOf(error: unknown, log: Logger, rpc: string): Status {
  // Counted and logged (rate-limited) where it was refused: a flood of them must not fill the log.
  if (error instanceof AuthenticationError) return { code: Code.UNAUTHORIZED, message: error.message };
  if (isBrokerError(error) && error.status !== undefined) {
    log.info({ rpc, code: error.code, reason: error.message }, 'request refused');
    return { code: error.status, message: error.message };
  }
  log.error({ rpc, err: error }, 'request failed');
  return { code: Code.INTERNAL_SERVER_ERROR, message: `internal error: ${(error as Error)?.message ?? String(error)}` };
}
