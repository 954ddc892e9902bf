import type { Metadata } from '@grpc/grpc-js';
import { AuthenticationError } from '../errors.js';
import type { AclUser } from './acl.js';
import type { AuthFailures, FailureSource } from './auth-failures.js';
import type { Authenticator } from './authenticator.js';

/** What authenticating a call under an `acl` needs: who the callers are, and where refusals are counted. */
export interface CallAuthenticator {
  readonly authenticator: Authenticator;
  /** Counts and logs refused authentications (the metrics read it). */
  readonly failures: AuthFailures;
}

/** The transport side of a call, for authenticating it. */
export interface IncomingCall {
  readonly metadata: Metadata;
  getPeer(): string;
}

/**
 * The user `call` acts as, from its `authorization` and `x-mq-date-time` headers (see
 * {@link Authenticator.authenticate}); a refusal is reported to `auth.failures` as coming from
 * `source` (the peer is added) and rethrown. `fresh: false` for what a stream carries after it opened.
 */
export function authenticateIncoming(
  auth: CallAuthenticator,
  call: IncomingCall,
  source: Omit<FailureSource, 'peer'>,
  options: { readonly fresh?: boolean } = {},
): AclUser {
  const authorization = values(call.metadata, 'authorization');
  try {
    return auth.authenticator.authenticate({ authorization, dateTime: values(call.metadata, 'x-mq-date-time') }, options);
  } catch (error) {
    if (error instanceof AuthenticationError) auth.failures.report(error, authorization[0], { ...source, peer: peerOf(call) });
    throw error;
  }
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
