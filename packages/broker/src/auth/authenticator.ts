import type { AuthenticationError } from '../errors.js';
import type { AclUser, ResolvedAcl } from './acl.js';
import { verifyCredentials, type CredentialHeaders } from './verify.js';

/** Who a call acts as, from its headers, under an `acl` configuration. */
export interface Authenticator {
  /**
   * The user a call acts as. A signed call must verify (a bad signature is refused even where
   * unsigned calls are let in, never treated as anonymous); an unsigned call is the anonymous
   * user when `acl.required` is false. Throws {@link AuthenticationError} otherwise.
   * `fresh: false` skips the clock check (commands on a stream after it opened).
   */
  authenticate(headers: CredentialHeaders, options?: { readonly fresh?: boolean }): AclUser;
}

/** An {@link Authenticator} over `acl`, judging freshness by `now`. */
export function createAuthenticator(acl: ResolvedAcl, clock: { readonly now: () => number; readonly maxSkewMs?: number }): Authenticator {
  const lookup = (accessKey: string) => acl.users.get(accessKey);
  return {
    authenticate(headers, options = {}) {
      if (acl.anonymous && isAbsent(headers.authorization)) return acl.anonymous;
      const result = verifyCredentials(headers, {
        lookup,
        now: clock.now,
        checkFreshness: options.fresh !== false,
        ...(clock.maxSkewMs === undefined ? {} : { maxSkewMs: clock.maxSkewMs }),
      });
      if (!result.ok) throw result.error;
      return result.user;
    },
  };
}

function isAbsent(value: CredentialHeaders['authorization']): boolean {
  return value === undefined || (typeof value === 'string' ? value === '' : value.every((v) => v === ''));
}
