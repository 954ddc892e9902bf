import type { Metadata } from '@grpc/grpc-js';
import type { AclUser } from '../auth/acl.js';
import type { AuthFailures } from '../auth/auth-failures.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { ClientIdBindings } from '../auth/client-id-bindings.js';
import { requirePermission, type Action } from '../auth/permissions.js';
import { AuthenticationError } from '../errors.js';

/** How a broker with an `acl` checks callers: who they are, and what was refused. */
export interface CallAuth {
  readonly authenticator: Authenticator;
  /** Counts and logs refused authentications (the metrics read it). */
  readonly failures: AuthFailures;
  readonly clientIds: ClientIdBindings;
}

/** The transport side of a call, for authenticating it. */
export interface IncomingCall {
  readonly metadata: Metadata;
  getPeer(): string;
}

/**
 * The user `call` acts as (see {@link Authenticator.authenticate}); a refusal is reported to
 * `auth.failures` and rethrown (its status is UNAUTHORIZED). `fresh: false` for what a stream
 * carries after it opened.
 */
export function authenticateCall(auth: CallAuth, call: IncomingCall, rpc: string, options: { readonly fresh?: boolean } = {}): AclUser {
  const authorization = values(call.metadata, 'authorization');
  try {
    return auth.authenticator.authenticate({ authorization, dateTime: values(call.metadata, 'x-mq-date-time') }, options);
  } catch (error) {
    if (error instanceof AuthenticationError) auth.failures.report(error, authorization[0], { surface: 'grpc', operation: rpc, peer: peerOf(call) });
    throw error;
  }
}

/**
 * Refuses (PermissionDeniedError, status FORBIDDEN) unless the caller may do `action`; on an open
 * broker (no `acl`, no user) everything is allowed. Call it after the names are qualified with the
 * namespace and before anything happens (a topic created on first use, say).
 */
export function permit(ctx: { readonly user: AclUser | undefined }, action: Action): void {
  if (ctx.user) requirePermission(ctx.user, action);
}

function values(metadata: Metadata, name: string): string[] {
  return metadata.get(name).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

function peerOf(call: IncomingCall): string | undefined {
  try {
    return call.getPeer();
  } catch {
    return undefined;
  }
}
