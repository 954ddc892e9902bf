import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../errors.js';
import type { AclUser } from './acl.js';
import type { VerifyResult } from './verify.js';

/**
 * The `WWW-Authenticate` value of a 401 from the console or `/metrics`: browsers then ask for
 * the access key (user name) and secret (password), and Prometheus sends its `basic_auth`.
 */
export const BASIC_CHALLENGE = 'Basic realm="txmq", charset="UTF-8"';

/**
 * Checks an HTTP `Authorization: Basic base64(accessKey:secret)` header, for the console and
 * `/metrics` (browsers cannot sign RocketMQ requests). Only safe over TLS: the secret travels as
 * is. The secrets are compared in constant time (as equal-length digests); a wrong one is
 * `bad-signature`, like a signature that does not match.
 */
export function verifyBasicAuthorization(header: string | undefined, lookup: (accessKey: string) => AclUser | undefined): VerifyResult {
  if (header === undefined || header === '') {
    return refuse('no-credentials', 'no credentials: the request has no Authorization header');
  }
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match) return refuse('malformed', 'malformed Authorization header: it must be "Basic <base64 of access-key:secret>"');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return refuse('malformed', 'malformed Authorization header: the credentials must be "access-key:secret"');
  const accessKey = decoded.slice(0, colon);
  const user = lookup(accessKey);
  const secret = user?.secret?.reveal();
  const matches = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(secret ?? ''));
  if (!user || secret === undefined) return refuse('unknown-access-key', `unknown access key ${JSON.stringify(accessKey)}`);
  if (!matches) return refuse('bad-signature', `the secret given for access key ${JSON.stringify(accessKey)} is wrong`);
  return { ok: true, user };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function refuse(reason: AuthenticationError['reason'], message: string): VerifyResult {
  return { ok: false, error: new AuthenticationError(reason, message) };
}
