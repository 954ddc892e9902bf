import type { ClientCredentials } from '@txmq/broker/client';

/**
 * How the broker clients the outbox creates sign in to a secured broker and reach it over TLS.
 * Each option goes to the client as it is (the `ClientOptions` of `@txmq/broker/client`), which
 * checks it when the client is created; a bad one is an `InvalidOptionsError` naming it.
 */
export interface BrokerSecurityOptions {
  /**
   * The access key and secret of a user of the broker's `acl`: every call is signed with them
   * (the secret itself never travels). Without them calls are unsigned, which only an open
   * broker, or one that lets anonymous callers in, accepts.
   */
  readonly credentials?: ClientCredentials;
  /**
   * Connect over TLS (default false, or true with {@link tlsRootCertFile}). The broker's
   * certificate is checked against Node's default CAs, the PEM file the environment variable
   * `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` names, or {@link tlsRootCertFile}.
   */
  readonly sslEnabled?: boolean;
  /**
   * A PEM file of the CA certificates (or the self-signed certificate) the broker's certificate
   * must chain to, read when the client is created. Setting it turns TLS on.
   */
  readonly tlsRootCertFile?: string;
}

/** The names of {@link BrokerSecurityOptions}, e.g. to refuse them where no client is created. */
export const BROKER_SECURITY_OPTIONS = ['credentials', 'sslEnabled', 'tlsRootCertFile'] as const;

/** The {@link BrokerSecurityOptions} set in `options`, and nothing else (for a client's options). */
export function brokerSecurity(options: BrokerSecurityOptions): BrokerSecurityOptions {
  const { credentials, sslEnabled, tlsRootCertFile } = options;
  return {
    ...(credentials !== undefined && { credentials }),
    ...(sslEnabled !== undefined && { sslEnabled }),
    ...(tlsRootCertFile !== undefined && { tlsRootCertFile }),
  };
}
