import type { BrokerSecurityOptions } from '@txmq/outbox';
import { UsageError } from './usage-error.js';
import { nonEmpty, type Environment } from './environment.js';

/**
 * How the services sign in to a broker with users and reach it over TLS: `TXMQ_ACCESS_KEY` and
 * `TXMQ_ACCESS_SECRET` (both or neither), and `TXMQ_TLS_CA_FILE`, the CA of the broker's certificate.
 */
export function brokerSecuritySetting(env: Environment): BrokerSecurityOptions {
  const accessKey = nonEmpty(env.TXMQ_ACCESS_KEY);
  const accessSecret = nonEmpty(env.TXMQ_ACCESS_SECRET);
  if ((accessKey === undefined) !== (accessSecret === undefined)) {
    throw new UsageError('TXMQ_ACCESS_KEY and TXMQ_ACCESS_SECRET go together: set both (a user of the broker) or neither');
  }
  const caFile = nonEmpty(env.TXMQ_TLS_CA_FILE);
  return {
    ...(accessKey !== undefined && accessSecret !== undefined && { credentials: { accessKey, accessSecret } }),
    ...(caFile !== undefined && { tlsRootCertFile: caFile }),
  };
}
