import { readFileSync } from 'node:fs';
import { Secret } from '../auth/secret.js';
import { ConfigError } from '../errors.js';
import { describe } from '../rules/names.js';
import type { SigningCredentials } from './session/metadata.js';
import type { ChannelTls } from './transport-probe.js';
import type { ClientOptions } from './types.js';

/** The options that make a client sign its calls and talk TLS (every client and admin client takes them). */
export type SecurityOptions = Pick<ClientOptions, 'sslEnabled' | 'tlsRootCertFile' | 'credentials'>;

/** Printable ASCII without the characters that split the authorization header (space , /). */
const ACCESS_KEY = /^[\x21-\x2b\x2d\x2e\x30-\x7e]+$/;

/** Throws {@link ConfigError} naming the TLS or credentials option of `client` that is invalid; never quotes the secret. */
export function checkSecurityOptions(client: string, options: SecurityOptions): void {
  checkTlsOptions(client, options);
  checkCredentials(client, options.credentials);
}

function checkTlsOptions(client: string, options: SecurityOptions): void {
  if (options.sslEnabled !== undefined && typeof options.sslEnabled !== 'boolean') {
    throw ConfigError.forOption(client, 'sslEnabled', `must be true or false, got ${describe(options.sslEnabled)}`);
  }
  const file = options.tlsRootCertFile;
  if (file === undefined) return;
  if (typeof file !== 'string' || file === '') throw ConfigError.forOption(client, 'tlsRootCertFile', `must be a file path, got ${describe(file)}`);
  if (options.sslEnabled === false) throw ConfigError.forOption(client, 'tlsRootCertFile', 'is a TLS option, but sslEnabled is false');
}

function checkCredentials(client: string, credentials: unknown): void {
  if (credentials === undefined) return;
  if (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials)) {
    throw ConfigError.forOption(client, 'credentials', 'must be { accessKey, accessSecret }');
  }
  const { accessKey, accessSecret, ...rest } = credentials as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw ConfigError.forOption(client, 'credentials', `has unknown keys ${extra.join(', ')} (allowed: accessKey, accessSecret)`);
  if (typeof accessKey !== 'string' || !ACCESS_KEY.test(accessKey)) {
    throw ConfigError.forOption(client, 'credentials.accessKey', `must be a non-empty string of printable ASCII without spaces, "," or "/", got ${describe(accessKey)}`);
  }
  // The secret itself is never quoted.
  if (typeof accessSecret !== 'string' || accessSecret === '') throw ConfigError.forOption(client, 'credentials.accessSecret', 'must be a non-empty string');
}

/** The signing credentials of (checked) `options`, the secret wrapped so it stays out of logs. */
export function signingCredentials(options: SecurityOptions): SigningCredentials | undefined {
  const given = options.credentials;
  return given && { accessKey: given.accessKey, secret: new Secret(given.accessSecret) };
}

/** The channels' TLS setting of (checked) `options` of the client `what`: `tlsRootCertFile` is read now. */
export function channelTlsOf(options: SecurityOptions, what: string): ChannelTls {
  const file = options.tlsRootCertFile;
  if (file === undefined) return options.sslEnabled ?? false;
  try {
    return { rootCerts: readFileSync(file) };
  } catch (cause) {
    throw ConfigError.forOption(what, 'tlsRootCertFile', `cannot be read from ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
}
