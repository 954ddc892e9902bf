/** A message to publish. */
export interface OutgoingMessage {
  readonly topic: string;
  readonly body: Buffer | string;
  readonly tag?: string;
  readonly keys?: readonly string[];
  /** Messages with the same group are delivered in send order (FIFO topics and groups). */
  readonly messageGroup?: string;
  /** Deliver no earlier than this time (a DELAY message; at most 24 h ahead). */
  readonly deliverAt?: Date;
  /** User properties; travel to the consumer unchanged. */
  readonly properties?: Readonly<Record<string, string>>;
}

/** What the broker answered for one published message. */
export interface SendResult {
  readonly messageId: string;
  readonly transactionId: string;
  readonly offset: number;
  /** For a DELAY message: pass to `recall()` to cancel it before delivery. */
  readonly recallHandle?: string;
}

/** A message handed to a consumer. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly topic: string;
  readonly tag?: string;
  readonly keys: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly messageGroup?: string;
  /** 1 on first delivery, then 2, 3… */
  readonly deliveryAttempt: number;
  readonly bornAt: Date;
  readonly deliverAt?: Date;
}

/**
 * What a consumer subscribes to in one topic: a tag expression (`*`, `a || b`) or, as
 * `{ sql }`, an SQL92 filter over the message's properties (`region = 'eu' AND amount > 100`).
 */
export type SubscriptionExpression = string | { readonly sql: string };

/** The answer to a transaction check-back. `UNKNOWN` makes the broker ask again later. */
export type CheckResult = 'COMMIT' | 'ROLLBACK' | 'UNKNOWN';

/** Decides the fate of a half message whose producer did not settle it (check-back). */
export type TransactionChecker = (message: ReceivedMessage) => Promise<CheckResult>;

/** A transactional half message: invisible to consumers until committed. */
export interface HalfMessage {
  readonly messageId: string;
  readonly transactionId: string;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Options every client takes. */
export interface ClientOptions {
  /**
   * `HOST:PORT` of a txmq broker or a RocketMQ 5 proxy (a host name or an IPv4 address), or a bare
   * `PORT` on this machine. One address: the official client cannot connect to a `;`-separated list.
   */
  readonly endpoints: string;
  readonly namespace?: string;
  /** Per-call timeout in ms (default 3000; at least 1000). */
  readonly requestTimeoutMs?: number;
  /**
   * Connect over TLS (default false, or true with {@link tlsRootCertFile}). The broker's
   * certificate is checked against Node's default CAs, or the PEM file the environment variable
   * `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH` names (read when gRPC loads), or {@link tlsRootCertFile}.
   */
  readonly sslEnabled?: boolean;
  /**
   * A PEM file of the CA certificates (or the self-signed certificate) the broker's certificate
   * must chain to; read when the client is created. Setting it turns TLS on.
   */
  readonly tlsRootCertFile?: string;
  /**
   * The access key and secret of a user of the broker's `acl` (RocketMQ 5's
   * `sessionCredentials`): every call is signed with them. Without them calls are unsigned, which
   * an open broker (or one that lets anonymous callers in) accepts.
   */
  readonly credentials?: ClientCredentials;
  /**
   * How long starting (on `start()` or the first call) keeps trying to connect before it rejects
   * with `BrokerUnreachableError` naming the endpoint (default 30 000 ms). A broker that comes up
   * within this time is used.
   */
  readonly startupTimeoutMs?: number;
  /**
   * Where this client (and, for a push consumer, its consume service) logs; defaults to warnings
   * and errors on stderr. Nothing is written under ~/logs.
   */
  readonly logger?: ClientLogger;
}

/** A user's access key and secret; the secret signs calls and never travels. */
export interface ClientCredentials {
  readonly accessKey: string;
  readonly accessSecret: string;
}

/** The logger the clients accept (pino's and console's shape). */
export interface ClientLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug?(...args: unknown[]): void;
}
