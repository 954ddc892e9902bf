import { HttpException, HttpStatus } from '@nestjs/common';
import { NonRetryableError } from '../errors.js';
import { isPipeFailure } from './pipe-failures.js';

/** HTTP statuses of errors that say the message itself is invalid (what Nest's validation and parse pipes throw). */
const INVALID_INPUT = new Set<number>([HttpStatus.BAD_REQUEST, HttpStatus.UNPROCESSABLE_ENTITY]);

/**
 * Whether a handler's failure sends its message to `%DLQ%<group>` at once instead of having it
 * redelivered: a `NonRetryableError` (the module throws one for a JSON body that does not
 * parse), or an `HttpException` with status 400 or 422 thrown by a parameter pipe (a
 * `BadRequestException` of `ValidationPipe`, `ParseIntPipe`, `StandardSchemaValidationPipe`...),
 * because a payload that fails validation fails it again on every redelivery. The same
 * exception thrown by the handler's body is retried like any other error.
 */
export function isNonRetryable(error: unknown): boolean {
  if (error instanceof NonRetryableError) return true;
  return error instanceof HttpException && isPipeFailure(error) && INVALID_INPUT.has(error.getStatus());
}
