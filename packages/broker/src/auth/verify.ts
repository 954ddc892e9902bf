import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../errors.js';
import type { AclUser } from './acl.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import { parseRequestDateTime } from './request-date-time.js';

/**
 * How far the signed `x-mq-date-time` may be from the broker's clock, either way: 15 minutes.
 * RocketMQ itself checks no time at all (a captured header stays valid forever); this bounds the
 * replay of a captured header the way AWS SigV4 does, and still allows for clocks that are off by
 * minutes (the clients sign a fresh time on every call, to the second).
 */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** A header as gRPC metadata gives it: absent, one value, or (refused) several. */
export type HeaderValue = string | readonly string[] | undefined;

/** The request headers that carry a RocketMQ 5 signature. */
export interface CredentialHeaders {
  /** `authorization` */
  readonly authorization: HeaderValue;
  /** `x-mq-date-time` */
  readonly dateTime: HeaderValue;
}

/** What a check needs besides the headers. */
export interface VerifyOptions {
  /** The user an access key belongs to, if any. */
  readonly lookup: (accessKey: string) => AclUser | undefined;
  /** The broker's clock (epoch ms). */
  readonly now: () => number;
  /** Default {@link DEFAULT_MAX_CLOCK_SKEW_MS}. */
  readonly maxSkewMs?: number;
  /**
   * Whether the signed time must be recent (default true). False for commands on a stream after
   * it opened: a client signs a stream's headers once, when it opens it, and keeps it for hours.
   */
  readonly checkFreshness?: boolean;
}

/** The outcome of a check: who signed, or why the credentials were refused. */
export type VerifyResult = { readonly ok: true; readonly user: AclUser } | { readonly ok: false; readonly error: AuthenticationError };

/** Stands in for the secret of an unknown access key, so that answering takes as long as for a known one. */
const NO_SECRET = 'txmq: no such access key';

/**
 * Checks a RocketMQ 5 signature: an `authorization` header
 * (`MQv2-HMAC-SHA1 Credential=AK, SignedHeaders=x-mq-date-time, Signature=HEX`) whose signature is
 * HMAC-SHA1(secret of AK, x-mq-date-time), compared in constant time, with the time within
 * `maxSkewMs` of `now`. The checks run in that order, so only a correctly signed request learns
 * that its time is off. A refusal's message names the access key but never the signature.
 */
export function verifyCredentials(headers: CredentialHeaders, options: VerifyOptions): VerifyResult {
  try {
    return { ok: true, user: verify(headers, options) };
  } catch (error) {
    if (error instanceof AuthenticationError) return { ok: false, error };
    throw error;
  }
}

function verify(headers: CredentialHeaders, options: VerifyOptions): AclUser {
  const authorization = single(headers.authorization, 'authorization');
  if (authorization === undefined) throw new AuthenticationError('no-credentials', 'no credentials: the request has no authorization header');
  const dateTime = single(headers.dateTime, 'x-mq-date-time');
  if (dateTime === undefined) throw malformed('the signed x-mq-date-time header is missing');
  const header = parseAuthorizationHeader(authorization);
  const signedAt = parseRequestDateTime(dateTime);
  if (signedAt === undefined) throw malformed(`x-mq-date-time must be UTC yyyyMMddTHHmmssZ, e.g. 20261121T021456Z`);
  const user = options.lookup(header.accessKey);
  const secret = user?.secret?.reveal();
  const expected = createHmac('sha1', secret ?? NO_SECRET).update(dateTime, 'utf8').digest();
  const matches = timingSafeEqual(expected, header.signature);
  if (!user || secret === undefined) {
    throw new AuthenticationError('unknown-access-key', `unknown access key ${JSON.stringify(header.accessKey)}`);
  }
  if (!matches) {
    throw new AuthenticationError('bad-signature', `the signature for access key ${JSON.stringify(header.accessKey)} does not match: wrong secret`);
  }
  if (options.checkFreshness !== false) {
    const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    const skewMs = signedAt - options.now();
    if (Math.abs(skewMs) > maxSkewMs) {
      throw new AuthenticationError(
        'clock-skew',
        `the request was signed at ${dateTime}, ${Math.round(Math.abs(skewMs) / 1000)} s ${skewMs < 0 ? 'ago' : 'ahead'} of the broker's clock (at most ${maxSkewMs / 1000} s allowed): check the client's clock`,
      );
    }
  }
  return user;
}

function single(value: HeaderValue, name: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value === '' ? undefined : value;
  if (value.length > 1) throw malformed(`the ${name} header is sent ${value.length} times`);
  return value[0] === '' ? undefined : value[0];
}

function malformed(problem: string): AuthenticationError {
  return new AuthenticationError('malformed', `malformed credentials: ${problem}`);
}
