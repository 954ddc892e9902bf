import { PermissionDeniedError } from '../errors.js';
import type { AclUser } from './acl.js';

/** How many client ids are remembered (least recently bound first out): bounds the memory callers can fill. */
const DEFAULT_CAPACITY = 100_000;

/**
 * Binds each `x-mq-client-id` to the first user that used it, so that one user cannot act on
 * another's client state (its held messages, its transaction checks, its termination) by sending
 * the other's client id. Past `capacity` ids, the one bound longest ago is forgotten.
 */
export class ClientIdBindings {
  readonly #owners = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  /** Binds `clientId` to `user` unless bound; throws {@link PermissionDeniedError} if another user has it. */
  claim(clientId: string, user: AclUser): void {
    const owner = this.#owners.get(clientId);
    if (owner === user.accessKey) return;
    if (owner !== undefined) {
      throw new PermissionDeniedError(
        `client id ${JSON.stringify(clientId)}`,
        'use',
        `permission denied: client id ${JSON.stringify(clientId)} is already used by another user; every client needs a client id of its own`,
      );
    }
    if (this.#owners.size >= this.#capacity) this.#owners.delete(this.#owners.keys().next().value!);
    this.#owners.set(clientId, user.accessKey);
  }
}
