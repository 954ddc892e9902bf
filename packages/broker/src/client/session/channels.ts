import { credentials, type ChannelCredentials, type Client, type ClientDuplexStream, type ClientReadableStream, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { messagingClient } from '../../wire/proto.js';
import { fromGrpcStatus } from '../error-mapping.js';
import type { ChannelTls } from '../transport-probe.js';

/**
 * Channel options: reconnect quickly (a restarted broker is noticed within a second), accept
 * large receive batches, open a large HTTP/2 receive window so that batches of deliveries do
 * not stall on flow control, and ping every 30 s even without calls, so that a connection a
 * NAT or load balancer dropped silently is noticed (and the Telemetry stream re-opened). A server
 * that allows fewer pings answers GOAWAY too_many_pings, after which grpc-js doubles the interval.
 */
const CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.max_receive_message_length': 130 * 1024 * 1024,
  'grpc-node.flow_control_window': 8 * 1024 * 1024,
};

type Unary = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response: unknown) => void) => unknown;
type ServerStreaming = (request: unknown, metadata: Metadata, options: { deadline: number }) => ClientReadableStream<unknown>;
type Bidi = (metadata: Metadata) => ClientDuplexStream<unknown, unknown>;

/**
 * One grpc-js channel (a MessagingService client) per endpoint (`host:port`), created on first
 * use and closed together. Calls carry the headers `metadata()` builds; failures are
 * `BrokerError`s naming the endpoint.
 */
export class Channels {
  readonly #credentials: () => ChannelCredentials;
  readonly #metadata: () => Metadata;
  readonly #clients = new Map<string, Client & Record<string, unknown>>();

  /** `tls`: plaintext when false; TLS with the default CAs when true, or with `rootCerts` (PEM). */
  constructor(tls: ChannelTls, metadata: () => Metadata) {
    this.#credentials = () => channelCredentials(tls);
    this.#metadata = metadata;
  }

  /** The grpc-js client of `endpoint` (created now if needed). */
  client(endpoint: string): Client {
    return this.#client(endpoint);
  }

  /** A unary call to `endpoint`, rejected with a `BrokerError` on a gRPC failure. */
  unary<Res>(endpoint: string, method: string, request: object, deadline: number): Promise<Res> {
    const client = this.#client(endpoint);
    const call = client[method] as Unary;
    return new Promise<Res>((resolve, reject) => {
      call.call(client, request, this.#metadata(), { deadline }, (error, response) => {
        if (error) reject(fromGrpcStatus(error, endpoint));
        else resolve(response as Res);
      });
    });
  }

  /**
   * A server-streaming call to `endpoint` (ReceiveMessage); its 'error' events are grpc-js
   * ServiceErrors. It waits for a connection within its deadline (a long poll's): right after a
   * broker restart the channel may still be in its reconnect back-off.
   */
  serverStream<Res>(endpoint: string, method: string, request: object, deadline: number): ClientReadableStream<Res> {
    const client = this.#client(endpoint);
    const metadata = this.#metadata();
    metadata.setOptions({ waitForReady: true });
    return (client[method] as ServerStreaming).call(client, request, metadata, { deadline }) as ClientReadableStream<Res>;
  }

  /** A bidirectional stream to `endpoint` (Telemetry), with no deadline. */
  duplex<Req, Res>(endpoint: string, method: string): ClientDuplexStream<Req, Res> {
    const client = this.#client(endpoint);
    return (client[method] as Bidi).call(client, this.#metadata()) as ClientDuplexStream<Req, Res>;
  }

  /** Closes every channel; calls still running fail. */
  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  #client(endpoint: string): Client & Record<string, unknown> {
    let client = this.#clients.get(endpoint);
    if (!client) {
      client = new (messagingClient())(endpoint, this.#credentials(), CHANNEL_OPTIONS) as unknown as Client & Record<string, unknown>;
      this.#clients.set(endpoint, client);
    }
    return client;
  }
}

/** The channel credentials of {@link Channels}' `tls` argument. */
export function channelCredentials(tls: ChannelTls): ChannelCredentials {
  if (tls === false) return credentials.createInsecure();
  return tls === true ? credentials.createSsl() : credentials.createSsl(tls.rootCerts);
}
