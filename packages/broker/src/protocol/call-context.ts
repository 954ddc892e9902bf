import type { AclUser } from '../auth/acl.js';
import { InvalidRequestError } from '../errors.js';
import { authenticateCall, type CallAuth, type IncomingCall } from './call-auth.js';

/** Who is calling: taken from the request headers every RocketMQ 5 client sends. */
export interface CallContext {
  readonly clientId: string;
  readonly namespace: string;
  /** The user the call acts as under an `acl`; undefined on an open broker (everything allowed). */
  readonly user: AclUser | undefined;
}

function header(call: IncomingCall, name: string): string {
  const value = call.metadata.get(name)[0];
  return typeof value === 'string' ? value : value ? value.toString('utf8') : '';
}

/**
 * Reads `x-mq-client-id` and `x-mq-namespace` and, under an `acl` (`auth`), authenticates the
 * call first: a refusal is UNAUTHORIZED, a client id another user has is FORBIDDEN, and a call
 * without a client id is CLIENT_ID_REQUIRED.
 */
export function callContext(call: IncomingCall, auth: CallAuth | undefined, rpc: string): CallContext {
  const user = auth ? authenticateCall(auth, call, rpc) : undefined;
  const clientId = header(call, 'x-mq-client-id');
  if (!clientId) throw new InvalidRequestError('CLIENT_ID_REQUIRED', 'the x-mq-client-id header is required');
  if (auth && user) auth.clientIds.claim(clientId, user);
  return { clientId, namespace: header(call, 'x-mq-namespace'), user };
}
