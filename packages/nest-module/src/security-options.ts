import { InvalidOptionsError, type BrokerSecurityOptions } from '@txmq/outbox';

/**
 * The module's `credentials`, `sslEnabled` and `tlsRootCertFile`, checked for their shape (an
 * `InvalidOptionsError` naming a bad one); the broker client checks the rest (the access key's
 * characters, that the CA file can be read) when the module creates it.
 */
export function securityOptions(options: BrokerSecurityOptions): BrokerSecurityOptions {
  const { credentials, sslEnabled, tlsRootCertFile } = options;
  if (credentials !== undefined) {
    if (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials)) {
      throw new InvalidOptionsError('credentials', 'must be { accessKey, accessSecret }');
    }
    const { accessKey, accessSecret, ...rest } = credentials as unknown as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new InvalidOptionsError('credentials', `has unknown keys ${extra.join(', ')} (allowed: accessKey, accessSecret)`);
    if (typeof accessKey !== 'string' || accessKey === '') throw new InvalidOptionsError('credentials.accessKey', 'must be a non-empty string');
    // The secret itself is never quoted.
    if (typeof accessSecret !== 'string' || accessSecret === '') throw new InvalidOptionsError('credentials.accessSecret', 'must be a non-empty string');
  }
  if (sslEnabled !== undefined && typeof sslEnabled !== 'boolean') throw new InvalidOptionsError('sslEnabled', 'must be true or false');
  if (tlsRootCertFile !== undefined) {
    if (typeof tlsRootCertFile !== 'string' || tlsRootCertFile === '') throw new InvalidOptionsError('tlsRootCertFile', 'must be a file path');
    if (sslEnabled === false) throw new InvalidOptionsError('tlsRootCertFile', 'is a TLS option, but sslEnabled is false');
  }
  return Object.freeze({
    ...(credentials !== undefined && { credentials }),
    ...(sslEnabled !== undefined && { sslEnabled }),
    ...(tlsRootCertFile !== undefined && { tlsRootCertFile }),
  });
}
