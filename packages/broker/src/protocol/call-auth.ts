import type { AclUser } from '../auth/acl.js';
import { authenticateIncoming, type CallAuthenticator, type IncomingCall } from '../auth/call-auth.js';
import type { ClientIdBindings } from '../auth/client-id-bindings.js';
import { requirePermission, type Action } from '../auth/permissions.js';

export type { IncomingCall } from '../auth/call-auth.js';

/** How a broker with an `acl` checks callers: who they are, and what was refused. */
export interface CallAuth extends CallAuthenticator {
  readonly clientIds: ClientIdBindings;
}

/**
 * The user `call` acts as (see {@link authenticateIncoming}); a refusal is reported to
 * `auth.failures` (surface `grpc`) and rethrown (its status is UNAUTHORIZED). `fresh: false` for
 * what a stream carries after it opened.
 */
export function authenticateCall(auth: CallAuth, call: IncomingCall, rpc: string, options: { readonly fresh?: boolean } = {}): AclUser {
  return authenticateIncoming(auth, call, { surface: 'grpc', operation: rpc }, options);
}

/**
 * Refuses (PermissionDeniedError, status FORBIDDEN) unless the caller may do `action`; on an open
 * broker (no `acl`, no user) everything is allowed. Call it after the names are qualified with the
 * namespace and before anything happens (a topic created on first use, say).
 */
export function permit(ctx: { readonly user: AclUser | undefined }, action: Action): void {
  if (ctx.user) requirePermission(ctx.user, action);
}
