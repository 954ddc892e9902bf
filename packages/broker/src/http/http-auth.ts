import type { IncomingMessage } from 'node:http';
import type { AclUser, ResolvedAcl } from '../auth/acl.js';
import type { AuthFailures } from '../auth/auth-failures.js';
import { BASIC_CHALLENGE, verifyBasicAuthorization } from '../auth/http-basic.js';
import { authorize } from '../auth/permissions.js';
import { HttpError } from './http-error.js';

/** How the HTTP port checks callers under an `acl`: the users, and where refusals are counted. */
export interface HttpAuth {
  readonly acl: ResolvedAcl;
  readonly failures: AuthFailures;
}

/**
 * The user a request to the HTTP port acts as, who must have the `admin` right: everything on
 * the port (console files, `/api/`, `/metrics`) is the admin surface. Credentials come as HTTP
 * Basic `access-key:secret`; a request without them is the anonymous user when `acl.required` is
 * false. Throws {@link HttpError} 401 (with `WWW-Authenticate`, so that a browser asks, and the
 * reason: no-credentials, malformed, unknown-access-key, bad-signature) after reporting it to
 * `failures`, or 403 naming the missing right.
 */
export function authenticateRequest(auth: HttpAuth, request: IncomingMessage, operation: string): AclUser {
  const user = userOf(auth, request, operation);
  const decision = authorize(user, { kind: 'admin' });
  if (!decision.allowed) {
    throw new HttpError(403, 'FORBIDDEN', `${decision.reason}: the console, its API and /metrics need it`, {}, { resource: decision.resource, right: decision.right });
  }
  return user;
}

function userOf(auth: HttpAuth, request: IncomingMessage, operation: string): AclUser {
  const header = request.headers.authorization;
  if (auth.acl.anonymous && (header === undefined || header === '')) return auth.acl.anonymous;
  const result = verifyBasicAuthorization(header, (accessKey) => auth.acl.users.get(accessKey));
  if (result.ok) return result.user;
  // The Basic header is never handed on: it holds the secret as is.
  auth.failures.report(result.error, undefined, { surface: 'http', operation, peer: request.socket.remoteAddress });
  throw new HttpError(401, 'UNAUTHORIZED', result.error.message, { 'www-authenticate': BASIC_CHALLENGE }, { reason: result.error.reason });
}
