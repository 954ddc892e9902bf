import { HttpException, HttpStatus } from '@nestjs/common';
import { NonRetryableError } from '../errors.js';

/** HTTP statuses of errors that say the message itself is invalid (what Nest's validation and parse pipes throw). */
const INVALID_INPUT = new Set<number>([HttpStatus.BAD_REQUEST, HttpStatus.UNPROCESSABLE_ENTITY]);

/**
 * Whether a handler's failure sends its message to `%DLQ%<group>` at once instead of having it
 * redelivered: a `NonRetryableError`, or an `HttpException` with status 400 or 422 (a
 * `BadRequestException` of `ValidationPipe`, `ParseIntPipe`, `StandardSchemaValidationPipe`...),
 * because a payload that fails validation fails it again on every redelivery.
 */
export function isNonRetryable(error: unknown): boolean {
  if (error instanceof NonRetryableError) return true;
  return error instanceof HttpException && INVALID_INPUT.has(error.getStatus());
}
