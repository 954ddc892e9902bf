import type { AuthenticationError } from '../errors.js';

/** What stands in for a redacted value in logs. */
export const REDACTED = '[redacted]';

/**
 * The `redact` option of the broker's pino logger: every field that can carry a credential
 * (request headers, a user's or a client's secret, a signature), at the top level and
 * one level down, is replaced by {@link REDACTED}.
 */
export const LOG_REDACT: { readonly paths: string[]; readonly censor: string } = {
  paths: [
    'authorization', '*.authorization',
    '["x-mq-session-token"]', '*["x-mq-session-token"]',
    'secret', '*.secret',
    'accessSecret', '*.accessSecret',
    'securityToken', '*.securityToken',
    'sessionCredentials', '*.sessionCredentials',
    'signature', '*.signature',
  ],
  censor: REDACTED,
};

/**
 * The access key an `authorization` header names, for logs and messages, or undefined if it
 * names none; nothing else of the header (the signature) is returned.
 */
export function accessKeyOf(authorization: string | undefined): string | undefined {
  const match = /(?:^|[\s,])Credential=([^,/\s]+)/.exec(authorization ?? '');
  return match?.[1];
}

/**
 * The fields to log a refused authentication with: why, and which access key (when one was
 * named); never the signature or the secret. Metrics should count by `reason` only: access
 * keys come from the caller, so they are not a bounded label.
 */
export function authFailureLogFields(error: AuthenticationError, authorization: string | undefined): { reason: string; accessKey?: string; message: string } {
  const accessKey = accessKeyOf(authorization);
  return { reason: error.reason, ...(accessKey === undefined ? {} : { accessKey }), message: error.message };
}
