import { BadRequestException, Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { badField } from './bad-field.js';

/** The part of Express's response this filter uses. */
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * Answers a request body that is not JSON (Nest reports the body parser's SyntaxError as a 400)
 * like any other bad input: a 400 whose `field` is `body`. Other 400s are answered as they are.
 */
@Catch(BadRequestException)
export class JsonBodyFilter implements ExceptionFilter {
  catch(exception: BadRequestException, host: ArgumentsHost): void {
    const cause = exception.cause;
    const answer = cause instanceof SyntaxError ? badField('body', `the body must be JSON: ${cause.message}`) : exception;
    host.switchToHttp().getResponse<JsonResponse>().status(answer.getStatus()).json(answer.getResponse());
  }
}
