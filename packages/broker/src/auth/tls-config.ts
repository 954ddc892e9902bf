import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { asObject, invalid, onlyKeys } from './config-shape.js';
import { Secret } from './secret.js';

/** The `tls` config key (or `--tls-cert` / `--tls-key`): the gRPC port (and the HTTP port) speak TLS. */
export interface TlsConfig {
  /** PEM certificate (chain), leaf first. Relative paths start at the config file's folder. */
  certFile: string;
  /** PEM private key of the certificate. */
  keyFile: string;
}

/** A validated TLS identity: what {@link resolveTls} returns. */
export interface ResolvedTls {
  /** Absolute paths, for messages. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The PEM certificate chain. */
  readonly cert: Buffer;
  /** The PEM private key; kept out of logs like a user's secret. */
  readonly key: Secret;
  /** When the (leaf) certificate expires. */
  readonly validTo: Date;
}

/** Where relative paths start, and the clock an expired certificate is judged by. */
export interface TlsSources {
  readonly baseDir?: string;
  readonly now?: () => number;
}

/**
 * Validates the `tls` config key and reads its files now: each must be readable, the
 * certificate a PEM certificate that has not expired, the key a PEM private key that belongs to
 * it. Undefined `raw` (no `tls` key) means plaintext: undefined. Errors name the key and the file.
 */
export function resolveTls(raw: unknown, sources: TlsSources = {}): ResolvedTls | undefined {
  if (raw === undefined) return undefined;
  const o = asObject(raw, 'tls');
  onlyKeys(o, 'tls', ['certFile', 'keyFile']);
  const certFile = path(o.certFile, 'tls.certFile', sources);
  const keyFile = path(o.keyFile, 'tls.keyFile', sources);
  const cert = read(certFile, 'tls.certFile');
  const keyPem = read(keyFile, 'tls.keyFile');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (cause) {
    throw invalid('tls.certFile', `names ${certFile}, which is not a PEM certificate`, undefined, { cause });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    // No cause kept: nothing about a private key's content belongs in an error.
    throw invalid('tls.keyFile', `names ${keyFile}, which is not a PEM private key (or is encrypted)`);
  }
  if (!x509.checkPrivateKey(key)) {
    throw invalid('tls.keyFile', `names ${keyFile}, whose key does not belong to the certificate in ${certFile}`);
  }
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() <= (sources.now ?? Date.now)()) {
    throw invalid('tls.certFile', `names ${certFile}, whose certificate expired on ${validTo.toISOString()}`);
  }
  try {
    createSecureContext({ cert, key: keyPem });
  } catch (cause) {
    throw invalid('tls', `cannot serve TLS with ${certFile} and ${keyFile}: ${(cause as Error).message}`);
  }
  return { certFile, keyFile, cert, key: new Secret(keyPem.toString('utf8')), validTo };
}

function path(value: unknown, where: string, sources: TlsSources): string {
  if (typeof value !== 'string' || value === '') throw invalid(where, 'must be a file path');
  return resolve(sources.baseDir ?? process.cwd(), value);
}

function read(file: string, where: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw invalid(where, `cannot be read from ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, undefined, { cause });
  }
}
