import { setMaxListeners } from 'node:events';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { loadBrokerAdmin, loadTransactionAdmin } from './client/admin-proto.js';
import { brokerAdminService } from './admin/broker-admin-service.js';
import { transactionAdminService } from './admin/transaction-service.js';
import type { ResolvedAcl } from './auth/acl.js';
import { AuthFailures } from './auth/auth-failures.js';
import { createAuthenticator } from './auth/authenticator.js';
import { ClientIdBindings } from './auth/client-id-bindings.js';
import type { ResolvedTls } from './auth/tls-config.js';
import { resolveConfig, type BrokerConfig, type ResolvedConfig } from './config.js';
import { BrokerCore } from './core/broker-core.js';
import { AddressInUseError, type BrokerError, type ConfigError } from './errors.js';
import { startHttpServer, type RunningHttpServer } from './http/http-server.js';
import { countAuthFailures } from './http/auth-metrics.js';
import { BrokerMetrics } from './http/metrics.js';
import { createLogger, type LogLevel } from './logger.js';
import type { CallAuth } from './protocol/call-auth.js';
import { messagingService } from './protocol/messaging-service.js';
import { LmdbStore } from './store/lmdb-store.js';
import { MemoryStore } from './store/memory-store.js';
import type { Store } from './store/store.js';

/** Options of {@link startBroker}. */
export interface BrokerOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 8081; 0 picks a free one). */
  port?: number;
  /** Directory of the durable store (default ./.txmq-data). Ignored with `memory`. */
  dataDir?: string;
  /** Keep everything in memory: fast, and lost when the process exits. */
  memory?: boolean;
  /** Broker configuration, as in the `--config` JSON file. */
  config?: BrokerConfig | ResolvedConfig;
  /** Level of the default logger (JSON on stderr; default info). Ignored with `logger`. */
  logLevel?: LogLevel;
  /** A pino logger to log to instead of the default one. */
  logger?: Logger;
  /** How long close() lets in-flight calls finish before cutting them (default 10 s). */
  drainTimeoutMs?: number;
  /**
   * Port of the web console, its JSON API (`/api/`) and the Prometheus metrics (`/metrics`), on
   * `host` (0 picks a free one). Off unless given. Under an `acl` config, only users with
   * `admin: true` may use it (HTTP Basic `access-key:secret`); without one, changes (resend,
   * commit, roll back) are open to whoever reaches the port. With `tls`, it serves HTTPS.
   */
  httpPort?: number;
}

/** A running broker. */
export interface RunningBroker {
  /** `host:port` to give clients as `endpoints`. */
  readonly endpoint: string;
  /** The interface it listens on. */
  readonly host: string;
  /** The port it listens on (the one picked, when started with port 0). */
  readonly port: number;
  /** `host:port` of the console and `/metrics`, when started with `httpPort`. */
  readonly httpEndpoint?: string;
  /** The console's port (the one picked, when started with `httpPort: 0`). */
  readonly httpPort?: number;
  /** `https` when the broker has `tls`, else `http`: the console is at `${httpScheme}://${httpEndpoint}/`. */
  readonly httpScheme?: 'http' | 'https';
  /** Stops accepting calls, lets in-flight ones finish, ends streams cleanly, and closes the store. */
  close(): Promise<void>;
  /**
   * Lets the process exit while the broker runs, as `unref()` of a Node server: its listening
   * socket and timers no longer keep the event loop alive (open client connections still do).
   * For a broker embedded in a test process, which must not hang when nobody gets to `close()` it.
   */
  unref(): void;
}

/**
 * A running broker together with its domain core.
 *
 * @internal For this package's own tests and tools (import it from `internal.ts`): the core's
 * methods are not a public API and change without notice.
 */
export interface RunningBrokerWithCore extends RunningBroker {
  readonly core: BrokerCore;
  /** Refused authentications since start, by reason (zero without an `acl`); the metrics read it. */
  readonly authFailures: AuthFailures;
}

function isResolved(config: BrokerConfig | ResolvedConfig): config is ResolvedConfig {
  return config.topics instanceof Map;
}

/** HTTP/2 receive window per connection the broker grants its clients. */
const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * With HTTP/2's default 64 KiB connection window, a producer with a few hundred sends in flight
 * outruns the window and some sends stall for seconds (p99 ~1 s at 256 in flight; figures in
 * docs/benchmarks.md, `npm run bench`). grpc-js has no server option for it, so this
 * widens the window of every session on the HTTP/2 servers grpc-js created; if its internals
 * change, the broker keeps working with the default window.
 */
function widenConnectionWindows(server: Server): void {
  for (const http2Server of http2ServersOf(server)) {
    http2Server.on('session', (session: ServerHttp2Session) => {
      try {
        session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
      } catch {
        // a session that closed at once keeps its window; nothing to do
      }
    });
  }
}

/** The HTTP/2 servers grpc-js listens with (not public in grpc-js: none if its internals change). */
function http2ServersOf(server: Server): Http2Server[] {
  const http2Servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  return [...(http2Servers?.keys() ?? [])];
}

/** How the gRPC port checks callers under `acl`; undefined for an open broker. */
function callAuth(acl: ResolvedAcl | undefined, failures: AuthFailures): CallAuth | undefined {
  if (!acl) return undefined;
  return { authenticator: createAuthenticator(acl, { now: Date.now }), failures, clientIds: new ClientIdBindings() };
}

/** Plaintext, or TLS with the configured certificate (no client certificates asked for). */
function serverCredentials(tls: ResolvedTls | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: Buffer.from(tls.key.reveal(), 'utf8') }], false);
}

/** At most one log line about failed TLS handshakes per this many ms (a port scanner makes many). */
const TLS_FAILURE_LOG_MS = 10_000;

/**
 * Logs the connections that fail the TLS handshake, typically a client that speaks plaintext to
 * the TLS port (which sees only "connection failed"): at warn, at most one line per
 * {@link TLS_FAILURE_LOG_MS}, counting those left out.
 */
function logTlsFailures(server: Server, log: Logger): void {
  let loggedAt = -Infinity;
  let unlogged = 0;
  for (const http2Server of http2ServersOf(server)) {
    http2Server.on('tlsClientError', (error: Error & { code?: string }, socket: { remoteAddress?: string }) => {
      const now = Date.now();
      if (now - loggedAt < TLS_FAILURE_LOG_MS) {
        unlogged += 1;
        return;
      }
      log.warn({ peer: socket.remoteAddress, code: error.code, reason: error.message, ...(unlogged > 0 && { repeated: unlogged }) }, 'TLS handshake failed (a client without TLS?)');
      loggedAt = now;
      unlogged = 0;
    });
  }
}

/** Opens the configured store. */
function openStore(options: Pick<BrokerOptions, 'memory' | 'dataDir'>, log: Logger): Store {
  return options.memory ? new MemoryStore() : LmdbStore.open(options.dataDir ?? './.txmq-data', { log });
}

/**
 * Starts a broker that speaks RocketMQ 5's gRPC protocol.
 *
 * @example
 * ```ts
 * const broker = await startBroker({ port: 0, memory: true });
 * // new Producer({ endpoints: broker.endpoint }) ...
 * await broker.close();
 * ```
 *
 * @throws {@link ConfigError} for an invalid `config`; {@link BrokerError} `ADDRESS_IN_USE` when
 * another process listens on `host:port` (or on `host:httpPort`).
 */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const { core: _core, authFailures: _authFailures, ...broker } = await startBrokerWithCore(options);
  return broker;
}

/**
 * {@link startBroker}, also handing out the broker's domain core.
 *
 * @internal See {@link RunningBrokerWithCore}.
 */
export async function startBrokerWithCore(options: BrokerOptions = {}): Promise<RunningBrokerWithCore> {
  const log = options.logger ?? createLogger(options.logLevel ?? 'info');
  const config = options.config && isResolved(options.config) ? options.config : resolveConfig(options.config ?? {});
  const host = options.host ?? '127.0.0.1';
  const core = new BrokerCore(openStore(options, log), config, log);
  const shutdown = new AbortController();
  // Every open stream (Telemetry, ReceiveMessage) listens for it until it ends.
  setMaxListeners(0, shutdown.signal);
  let port = options.port ?? 8081;

  // A message at the body limit must fit in one gRPC frame, with room for its properties.
  const frameLimit = config.maxBodyBytes + 1024 * 1024;
  const server = new Server({
    'grpc.max_receive_message_length': frameLimit,
    'grpc.max_send_message_length': frameLimit,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  const authFailures = new AuthFailures(log);
  const auth = callAuth(config.acl, authFailures);
  const metrics = options.httpPort === undefined ? undefined : new BrokerMetrics(core, { processMetrics: true });
  const stopCountingAuthFailures = metrics && countAuthFailures(metrics.registry, authFailures);
  const closeMetrics = () => {
    stopCountingAuthFailures?.();
    metrics?.close();
  };
  const messaging = messagingService({
    core, log, listenAddress: () => ({ host, port }), shutdown: shutdown.signal, auth,
    ...(metrics && { onRpc: metrics.onRpc }),
  });
  server.addService(messaging.definition, messaging.implementation);
  // txmq's own operator API (`txmq-broker admin ...`, createTransactionAdmin, createBrokerAdmin) on the same port.
  server.addService(loadTransactionAdmin().service, transactionAdminService({ backend: core, log, shutdown: shutdown.signal, auth }));
  server.addService(loadBrokerAdmin().service, brokerAdminService({ backend: core, log, shutdown: shutdown.signal, auth, maxResponseBytes: frameLimit }));
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${port}`, serverCredentials(config.tls), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
  } catch (error) {
    closeMetrics();
    await core.close();
    // grpc-js reports why a bind failed only in the message text of a plain Error.
    throw /EADDRINUSE/.test((error as Error)?.message ?? '')
      ? new AddressInUseError('grpc', `port ${port} on ${host} is already in use`, { cause: error })
      : error;
  }
  let http: RunningHttpServer | undefined;
  if (metrics && options.httpPort !== undefined) {
    try {
      const httpAuth = config.acl && { acl: config.acl, failures: authFailures };
      http = await startHttpServer({ host, port: options.httpPort, backend: core, metrics, log, auth: httpAuth, tls: config.tls });
    } catch (error) {
      server.forceShutdown();
      closeMetrics();
      await core.close();
      throw error;
    }
  }
  widenConnectionWindows(server);
  if (config.tls) logTlsFailures(server, log);
  core.start();
  log.info({ host, port, ...(http && { httpPort: http.port }), memory: options.memory ?? false, tls: config.tls !== undefined, acl: config.acl !== undefined }, 'broker started');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shutdown.abort();
      await http?.close();
      closeMetrics();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, options.drainTimeoutMs ?? 10_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await core.close();
      log.info('broker stopped');
    })());
  // The core's timers are unref'd already; the listening sockets are what holds the process.
  const unref = () => {
    for (const http2Server of http2ServersOf(server)) http2Server.unref();
    http?.unref();
  };
  const httpInfo = http && { httpEndpoint: `${host}:${http.port}`, httpPort: http.port, httpScheme: http.scheme };
  return { endpoint: `${host}:${port}`, host, port, ...httpInfo, core, authFailures, close, unref };
}
