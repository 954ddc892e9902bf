import { credentials, type Client, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { BrokerUnreachableError, ClientClosedError, ConfigError, type BrokerError } from '../errors.js';
import { describe } from '../rules/names.js';
import { parseEndpoint } from './endpoint.js';
import { checkPositive } from './option-checks.js';
import { PROBE_CHANNEL_OPTIONS, waitUntilReady } from './reachability.js';

/** Connection options every admin client takes. */
export interface AdminConnectionOptions {
  /** `HOST:PORT` of the broker's gRPC port, or a bare `PORT` on this machine (default `127.0.0.1:8081`). */
  readonly endpoints?: string;
  /** Deadline of each call in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** How long connecting may take before calls reject with `BrokerUnreachableError` (default `timeoutMs`). */
  readonly startupTimeoutMs?: number;
}

/** One lazily connected channel to one of txmq's admin services. */
export interface AdminChannel {
  readonly endpoint: string;
  /** Connects now; rejects with `BrokerUnreachableError` when it cannot within `startupTimeoutMs`. */
  start(): Promise<void>;
  /** Calls unary `rpc`; a failure is rejected as what `mapError` makes of it. */
  call<Res>(rpc: string, request: object): Promise<Res>;
  close(): void;
}

/**
 * Validates `options` (as options of the client named `what`) and returns a channel to `service`
 * that connects on its first call. Answers may be as large as the broker sends (bodies up to its frame limit).
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
  const timeoutMs = options.timeoutMs ?? 10_000;
  const startupTimeoutMs = options.startupTimeoutMs ?? timeoutMs;
  let client: (Client & Record<string, Function>) | undefined;
  let connecting: Promise<boolean> | undefined;
  const closed = new AbortController();

  const connect = async (method: string): Promise<Client & Record<string, Function>> => {
    if (closed.signal.aborted) throw new ClientClosedError(`${what}.${method}()`);
    client ??= new (service())(endpoint, credentials.createInsecure(), { ...PROBE_CHANNEL_OPTIONS, 'grpc.max_receive_message_length': -1 }) as Client &
      Record<string, Function>;
    const channel = client;
    connecting ??= waitUntilReady(channel, Date.now() + startupTimeoutMs, closed.signal).finally(() => {
      connecting = undefined;
    });
    const ready = await connecting;
    if (closed.signal.aborted) throw new ClientClosedError(`${what}.${method}()`);
    if (!ready) throw new BrokerUnreachableError(endpoint, `no connection within startupTimeoutMs = ${startupTimeoutMs} ms`);
    return channel;
  };

  return {
    endpoint,
    start: () => connect('start').then(() => undefined),
    async call<Res>(rpc: string, request: object): Promise<Res> {
      const ready = await connect(rpc);
      return new Promise<Res>((resolve, reject) => {
        ready[rpc]!.call(ready, request, { deadline: Date.now() + timeoutMs }, (error: ServiceError | null, response: Res) => {
          if (error) reject(closed.signal.aborted ? new ClientClosedError(`${what}.${rpc}()`) : mapError(error, endpoint));
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
