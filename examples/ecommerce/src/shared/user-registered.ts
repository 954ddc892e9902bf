import type { ReceivedMessage } from '@txmq/broker/client';
import { NonRetryableError } from '@txmq/nest';
import { decodeBody } from '@txmq/outbox';

/** The topic the account service announces registrations on. */
export const USER_REGISTERED = 'user-registered';

/**
 * The body of a `user-registered` message. The user's id is also the registration's. (A type
 * rather than an interface, so that it is a JSON object body of `TxmqProducer.send` as it is.)
 */
export type UserRegistered = {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  /** ISO 8601. */
  readonly registeredAt: string;
};

/**
 * The event a `user-registered` message carries. A body that is not one can never be applied, so
 * it goes straight to the group's dead-letter topic instead of being retried.
 */
export function readUserRegistered(message: ReceivedMessage): UserRegistered {
  const body = decodeBody(message);
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body) || Array.isArray(body)) {
    throw new NonRetryableError(`message ${message.messageId} on ${message.topic} has no JSON object body`);
  }
  const event = body as Record<string, unknown>;
  for (const field of ['userId', 'email', 'name', 'registeredAt'] as const) {
    if (typeof event[field] !== 'string') throw new NonRetryableError(`message ${message.messageId} on ${message.topic} has no string ${field}`);
  }
  return event as unknown as UserRegistered;
}
