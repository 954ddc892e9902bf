import { status as GrpcStatus, type Client, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { BrokerUnreachableError, ClientClosedError, ConfigError, type BrokerError } from '../errors.js';
import { describe } from '../rules/names.js';
import { STATUS_CODES } from '../status-codes.js';
import { parseEndpoint } from './endpoint.js';
import { fromRocketMqStatus } from './error-mapping.js';
import { checkPositive } from './option-checks.js';
import { PROBE_CHANNEL_OPTIONS, waitUntilReady } from './reachability.js';
import { channelTlsOf, checkSecurityOptions, signingCredentials, type SecurityOptions } from './security-options.js';
import { channelCredentials } from './session/channels.js';
import { newClientId, requestMetadata } from './session/metadata.js';
import { transportMismatch } from './transport-probe.js';

/** How long connecting waits before it checks for a TLS mismatch (which no wait cures). */
const PROBE_AFTER_MS = 1000;

/**
 * Connection options every admin client takes. `credentials`, `sslEnabled` and `tlsRootCertFile`
 * mean what they mean for the messaging clients: a broker with an `acl` serves its admin API only
 * to calls signed by a user with `admin: true`.
 */
export interface AdminConnectionOptions extends SecurityOptions {
  /** `HOST:PORT` of the broker's gRPC port, or a bare `PORT` on this machine (default `127.0.0.1:8081`). */
  readonly endpoints?: string;
  /** Deadline of each call in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** How long connecting may take before calls reject with `BrokerUnreachableError` (default `timeoutMs`). */
  readonly startupTimeoutMs?: number;
}

/** The `cause` of the `BrokerUnreachableError` of a connection that did not come up within `startupTimeoutMs`. */
export class ConnectTimeout extends Error {
  override readonly name = 'ConnectTimeout';
  constructor(readonly waitedMs: number) {
    super(`no connection within ${waitedMs} ms`);
  }
}

/** One lazily connected channel to one of txmq's admin services. */
export interface AdminChannel {
  readonly endpoint: string;
  /** Connects now; rejects with `BrokerUnreachableError` when it cannot within `startupTimeoutMs`. */
  start(): Promise<void>;
  /**
   * Calls unary `rpc`; a failure is rejected as what `mapError` makes of it, but for the refusals
   * of an `acl`, rejected as the messaging clients reject them (see {@link authRefusal}).
   */
  call<Res>(rpc: string, request: object): Promise<Res>;
  close(): void;
}

/**
 * Validates `options` (as options of the client named `what`; `tlsRootCertFile` is read now) and
 * returns a channel to `service` that connects on its first call, over TLS when asked, each call
 * signed with `credentials` when given. Answers may be as large as the broker sends (bodies up to
 * its frame limit). A connection that fails because of a TLS mismatch (plaintext to a TLS port,
 * the reverse, an untrusted certificate) is refused at once with a `BrokerUnreachableError` saying so.
 */
export function openAdminChannel(
  what: string,
  service: () => ServiceClientConstructor,
  options: AdminConnectionOptions,
  mapError: (error: ServiceError, endpoint: string) => BrokerError,
): AdminChannel {
  if (options.endpoints !== undefined && typeof options.endpoints !== 'string') {
    throw new ConfigError(`invalid ${what} option endpoints: must be a "host:port" string, got ${describe(options.endpoints)}`);
  }
  const endpoint = parseEndpoint(options.endpoints ?? '127.0.0.1:8081', 'endpoints', what);
  checkPositive(what, 'timeoutMs', options.timeoutMs);
  checkPositive(what, 'startupTimeoutMs', options.startupTimeoutMs);
  checkSecurityOptions(what, options);
  const tls = channelTlsOf(options, what);
  const signing = signingCredentials(options);
  const clientId = newClientId();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const startupTimeoutMs = options.startupTimeoutMs ?? timeoutMs;
  let client: (Client & Record<string, Function>) | undefined;
  let connecting: Promise<boolean> | undefined;
  const closed = new AbortController();

  const connected = async (channel: Client, deadline: number): Promise<boolean> => {
    if (await waitUntilReady(channel, Math.min(deadline, Date.now() + PROBE_AFTER_MS), closed.signal)) return true;
    if (closed.signal.aborted || Date.now() >= deadline) return false;
    const mismatch = await transportMismatch(endpoint, tls);
    if (mismatch) throw new BrokerUnreachableError(endpoint, mismatch);
    return waitUntilReady(channel, deadline, closed.signal);
  };

  const connect = async (method: string): Promise<Client & Record<string, Function>> => {
    if (closed.signal.aborted) throw new ClientClosedError(`${what}.${method}()`);
    client ??= new (service())(endpoint, channelCredentials(tls), { ...PROBE_CHANNEL_OPTIONS, 'grpc.max_receive_message_length': -1 }) as Client &
      Record<string, Function>;
    const channel = client;
    connecting ??= connected(channel, Date.now() + startupTimeoutMs).finally(() => {
      connecting = undefined;
    });
    const ready = await connecting;
    if (closed.signal.aborted) throw new ClientClosedError(`${what}.${method}()`);
    if (!ready) throw new BrokerUnreachableError(endpoint, `no connection within startupTimeoutMs = ${startupTimeoutMs} ms`, { cause: new ConnectTimeout(startupTimeoutMs) });
    return channel;
  };

  return {
    endpoint,
    start: () => connect('start').then(() => undefined),
    async call<Res>(rpc: string, request: object): Promise<Res> {
      const ready = await connect(rpc);
      return new Promise<Res>((resolve, reject) => {
        const metadata = requestMetadata(clientId, '', new Date(), signing);
        ready[rpc]!.call(ready, request, metadata, { deadline: Date.now() + timeoutMs }, (error: ServiceError | null, response: Res) => {
          if (error) reject(closed.signal.aborted ? new ClientClosedError(`${what}.${rpc}()`) : (authRefusal(error, endpoint) ?? mapError(error, endpoint)));
          else resolve(response);
        });
      });
    },
    close() {
      closed.abort();
      client?.close();
    },
  };
}

/**
 * A refusal of the admin API's `acl` check as the messaging clients report one: UNAUTHENTICATED is
 * a `BrokerRefusedError` with code `UNAUTHORIZED` (status 40100), PERMISSION_DENIED one with code
 * `FORBIDDEN` (40300), the message carrying the broker's reason. Undefined for any other status.
 */
export function authRefusal(error: ServiceError, endpoint: string): BrokerError | undefined {
  const status =
    error.code === GrpcStatus.UNAUTHENTICATED ? STATUS_CODES.UNAUTHORIZED
    : error.code === GrpcStatus.PERMISSION_DENIED ? STATUS_CODES.FORBIDDEN
    : undefined;
  return status === undefined ? undefined : fromRocketMqStatus(status, error.details || error.message, endpoint, 'the admin call', error);
}
