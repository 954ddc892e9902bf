import { InvalidRequestError } from '../errors.js';
import { checkMessage } from '../rules/index.js';
import type { OutgoingMessage } from './types.js';

/**
 * Throws {@link InvalidRequestError} (with the status the broker would refuse it with, and a
 * message naming the field) when `message` breaks RocketMQ's rules, so that it never reaches the
 * broker to be refused there.
 */
export function assertValidMessage(message: OutgoingMessage): void {
  if (message === null || typeof message !== 'object') throw new InvalidRequestError('BAD_REQUEST', `invalid message: must be an object, got ${String(message)}`);
  const deliverAt = message.deliverAt;
  if (deliverAt !== undefined && !(deliverAt instanceof Date)) {
    throw new InvalidRequestError('ILLEGAL_DELIVERY_TIME', 'invalid message: deliverAt must be a Date');
  }
  const body: unknown = message.body;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new InvalidRequestError('BAD_REQUEST', 'invalid message: body must be a string or a Buffer');
  }
  const violation = checkMessage({
    topic: message.topic,
    body: message.body,
    ...(message.tag !== undefined && { tag: message.tag }),
    ...(message.keys !== undefined && { keys: message.keys }),
    ...(message.messageGroup !== undefined && { messageGroup: message.messageGroup }),
    ...(deliverAt !== undefined && { deliverAt: deliverAt.getTime() }),
    ...(message.properties !== undefined && { properties: message.properties }),
  });
  if (violation) throw new InvalidRequestError(violation.code, `invalid message: ${violation.field} ${violation.problem}`);
}
