import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { checkSecurityOptions, type SecurityOptions } from '../client/security-options.js';
import { BrokerRefusedError, BrokerUnreachableError, ConfigError, type BrokerError } from '../errors.js';

/** The environment variable the access key may come from (when `--access-key` is not given). */
export const ACCESS_KEY_ENV = 'TXMQ_ACCESS_KEY';
/** The environment variable the secret comes from (when `--secret-file` is not given). */
export const ACCESS_SECRET_ENV = 'TXMQ_ACCESS_SECRET';

/** The credential and TLS options of every command that talks to a running broker. */
export const SECURITY_OPTIONS = {
  'access-key': { type: 'string' },
  'secret-file': { type: 'string' },
  tls: { type: 'boolean', default: false },
  'tls-ca': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const SECURITY_USAGE = `Credentials and TLS (a broker with an acl serves its admin API only to users with "admin": true):
  --access-key KEY      the user's access key (default: env ${ACCESS_KEY_ENV})
  --secret-file FILE    a file holding the user's secret (default: env ${ACCESS_SECRET_ENV});
                        the secret is never given as an option's value: any user of the machine
                        can read a command line (ps), so there is no --secret option
  --tls                 connect over TLS (CAs: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, or Node's)
  --tls-ca FILE         the PEM file of the CA that signed the broker's certificate (implies --tls)`;

/** Spellings of a secret-bearing option someone may try: refused before parsing, saying why. */
const SECRET_FLAGS = /^--(access-?secret|secret|secret-key|access-secret-key|password)(=|$)/;

/**
 * Why `argv` cannot be run because it passes a secret as an option (`--secret S`), or undefined.
 * Checked before parsing so that the answer explains instead of saying "unknown option".
 */
export function secretFlagProblem(argv: readonly string[]): string | undefined {
  const flag = argv.find((arg) => SECRET_FLAGS.test(arg));
  if (flag === undefined) return undefined;
  return `${flag.split('=')[0]} is not accepted: a secret on the command line is visible to every user of the machine (ps); put it in ${ACCESS_SECRET_ENV} or a file named by --secret-file`;
}

type Values = Readonly<Record<string, string | boolean | undefined>>;

/**
 * The client's security options from the parsed `values` of {@link SECURITY_OPTIONS} and `env`.
 * Throws {@link ConfigError} (a usage error) for an access key without a secret, a secret without
 * an access key, or a file that cannot be read; its message never contains the secret.
 */
export function securityOptionsOf(values: Values, env: Readonly<Record<string, string | undefined>>): SecurityOptions {
  const accessKey = stringValue(values['access-key']) ?? nonEmpty(env[ACCESS_KEY_ENV]);
  const secretFile = stringValue(values['secret-file']);
  const envSecret = nonEmpty(env[ACCESS_SECRET_ENV]);
  const caFile = stringValue(values['tls-ca']);
  const tls = values.tls === true || caFile !== undefined;
  if (caFile !== undefined) readable(caFile, '--tls-ca');
  const transport: SecurityOptions = { ...(tls && { sslEnabled: true }), ...(caFile !== undefined && { tlsRootCertFile: caFile }) };
  if (accessKey === undefined) {
    if (secretFile !== undefined) throw new ConfigError(`--secret-file needs an access key: pass --access-key KEY or set ${ACCESS_KEY_ENV}`);
    if (envSecret !== undefined) throw new ConfigError(`${ACCESS_SECRET_ENV} is set but no access key is given: pass --access-key KEY or set ${ACCESS_KEY_ENV}`);
    return transport;
  }
  const accessSecret = secretFile !== undefined ? secretFromFile(secretFile) : envSecret;
  if (accessSecret === undefined) {
    throw new ConfigError(`access key ${JSON.stringify(accessKey)} has no secret: set ${ACCESS_SECRET_ENV} or pass --secret-file FILE`);
  }
  const options = { ...transport, credentials: { accessKey, accessSecret } };
  try {
    checkSecurityOptions('command line', options);
  } catch (error) {
    if (error instanceof ConfigError && error.option === 'credentials.accessKey') throw new ConfigError(`the access key ${error.problem}`);
    throw error;
  }
  return options;
}

/**
 * What to tell an operator after `error`, besides its message: how to pass credentials after an
 * authentication refusal, that the user lacks the admin right, or which TLS option a mismatch calls for.
 */
export function refusalHint(error: BrokerError, security: SecurityOptions): string | undefined {
  if (error instanceof BrokerRefusedError && error.code === 'UNAUTHORIZED') {
    return security.credentials
      ? 'check the access key and its secret, and that this machine\'s clock is right'
      : `the broker requires credentials: pass --access-key KEY (or set ${ACCESS_KEY_ENV}) with the secret in ${ACCESS_SECRET_ENV} or a --secret-file FILE`;
  }
  if (error instanceof BrokerRefusedError && error.code === 'FORBIDDEN') return 'the user needs "admin": true in the broker\'s acl';
  if (error instanceof BrokerUnreachableError) {
    if (/it speaks TLS/.test(error.message)) return 'the broker speaks TLS: pass --tls, and --tls-ca FILE unless a public CA signed its certificate';
    if (/certificate is not trusted/.test(error.message)) return 'pass the CA that signed the broker\'s certificate as --tls-ca FILE';
    if (/does not speak TLS/.test(error.message)) return 'the broker does not speak TLS: leave out --tls and --tls-ca';
    return 'is the broker running? pass its address with --endpoint HOST:PORT';
  }
  return undefined;
}

function secretFromFile(file: string): string {
  // One trailing line end is what an editor or `echo` leaves; the secret is the rest.
  const secret = readable(file, '--secret-file').replace(/\r?\n$/, '');
  if (secret === '') throw new ConfigError(`--secret-file ${file} is empty`);
  return secret;
}

function readable(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`${option} ${file} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
