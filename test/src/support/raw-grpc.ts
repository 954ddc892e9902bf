import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as GrpcJs from '@grpc/grpc-js';
import type { Client, ClientReadableStream, Metadata, ServiceError } from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';

// The test workspace does not depend on gRPC itself: load the broker package's own copies.
const require = createRequire(import.meta.url);
const fromBroker = createRequire(require.resolve('@txmq/broker'));
const grpc = fromBroker('@grpc/grpc-js') as typeof GrpcJs;
const protoLoader = fromBroker('@grpc/proto-loader') as typeof ProtoLoader;

// Shapes as @grpc/proto-loader decodes apache.rocketmq.v2 (camelCase, enums as numbers, no defaults).
export interface WireStatus { code: number; message: string }
export interface WireMessage {
  topic?: { name?: string };
  userProperties?: Record<string, string>;
  systemProperties?: {
    messageId?: string;
    receiptHandle?: string;
    deliveryAttempt?: number;
    bodyDigest?: { type: number; checksum: string };
    [key: string]: unknown;
  };
  body?: Buffer;
}
export interface ReceiveFrame { status?: WireStatus; message?: WireMessage; deliveryTimestamp?: unknown }

type Callback<T> = (error: ServiceError | null, response: T) => void;
type Unary = (request: object, metadata: Metadata, options: { deadline: number }, callback: Callback<{ status?: WireStatus }>) => void;
interface MessagingClient extends Client {
  queryRoute: Unary;
  sendMessage: Unary;
  ackMessage: Unary;
  receiveMessage(request: object, metadata: Metadata, options: { deadline: number }): ClientReadableStream<ReceiveFrame>;
}

const MESSAGE_TYPE = { NORMAL: 1, FIFO: 2, DELAY: 3, TRANSACTION: 4 } as const;

type MessagingClientConstructor = new (address: string, creds: unknown, options: object) => MessagingClient;
let clientConstructor: MessagingClientConstructor | undefined;

/** The client class of `apache.rocketmq.v2.MessagingService`, loaded from the .proto files once per process. */
function messagingServiceClient(): MessagingClientConstructor {
  if (!clientConstructor) {
    const protoRoot = join(dirname(require.resolve('rocketmq-client-nodejs/package.json')), 'proto');
    const definition = protoLoader.loadSync('apache/rocketmq/v2/service.proto', { includeDirs: [protoRoot], keepCase: false, longs: String, defaults: false, oneofs: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { apache: { rocketmq: { v2: { MessagingService: MessagingClientConstructor } } } };
    clientConstructor = pkg.apache.rocketmq.v2.MessagingService;
  }
  return clientConstructor;
}

/**
 * A bare gRPC client of `apache.rocketmq.v2.MessagingService` built from the official client's
 * own .proto files, for what the official client cannot do: receiving frames over grpc-js's
 * default 4 MiB limit, or sending a message the client would refuse before the wire.
 */
export class RawClient {
  readonly #client: MessagingClient;
  readonly #clientId = `raw-test@${process.pid}@${randomUUID()}`;

  /** `headers` adds (or replaces) request headers, built anew for every call: credentials, say. */
  constructor(private readonly endpoint: string, maxReceiveBytes = 16 * 1024 * 1024, private readonly headers: () => Record<string, string> = () => ({})) {
    this.#client = new (messagingServiceClient())(endpoint, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': maxReceiveBytes,
    });
  }

  /** QueryRoute; resolves to the response's status. */
  async queryRoute(topic: string): Promise<WireStatus | undefined> {
    const [host, port] = this.endpoint.split(':');
    return (await this.#unary(this.#client.queryRoute, { topic: { name: topic }, endpoints: { scheme: 1, addresses: [{ host, port: Number(port) }] } })).status;
  }

  /** QueryRoute; resolves to the accepted message types of each queue (1 NORMAL, 2 FIFO, 3 DELAY, 4 TRANSACTION). */
  async acceptedTypes(topic: string): Promise<number[][]> {
    const [host, port] = this.endpoint.split(':');
    const response = (await this.#unary(this.#client.queryRoute, { topic: { name: topic }, endpoints: { scheme: 1, addresses: [{ host, port: Number(port) }] } })) as {
      status?: WireStatus;
      messageQueues?: { acceptMessageTypes?: number[] }[];
    };
    if (response.status?.code !== 20000) throw new Error(`QueryRoute failed: ${JSON.stringify(response.status)}`);
    return (response.messageQueues ?? []).map((q) => q.acceptMessageTypes ?? []);
  }

  /** SendMessage of one message; resolves to the response's top-level status. */
  async send(message: { topic: string; body: Buffer; type: keyof typeof MESSAGE_TYPE; messageGroup?: string }): Promise<WireStatus | undefined> {
    const request = {
      messages: [
        {
          topic: { name: message.topic },
          body: message.body,
          systemProperties: {
            messageId: randomUUID().replaceAll('-', '').toUpperCase(),
            messageType: MESSAGE_TYPE[message.type],
            bodyEncoding: 1,
            bornTimestamp: { seconds: Math.floor(Date.now() / 1000) },
            bornHost: 'raw-test',
            ...(message.messageGroup !== undefined && { messageGroup: message.messageGroup }),
          },
        },
      ],
    };
    const response = await this.#unary(this.#client.sendMessage, request);
    return response.status;
  }

  /** One ReceiveMessage call; resolves to every frame of the stream. */
  receive(group: string, topic: string, options: { invisibleMs: number; longPollMs: number; filter?: { type: number; expression: string } }): Promise<ReceiveFrame[]> {
    const request = {
      group: { name: group },
      messageQueue: { topic: { name: topic }, id: 0 },
      filterExpression: options.filter ?? { type: 1, expression: '*' },
      batchSize: 1,
      invisibleDuration: { seconds: Math.floor(options.invisibleMs / 1000) },
      autoRenew: false,
      longPollingTimeout: { seconds: Math.floor(options.longPollMs / 1000) },
    };
    const stream = this.#client.receiveMessage(request, this.#metadata(), { deadline: Date.now() + options.longPollMs + 5000 });
    const frames: ReceiveFrame[] = [];
    return new Promise((resolve, reject) => {
      stream.on('data', (frame: ReceiveFrame) => frames.push(frame));
      stream.on('error', reject);
      stream.on('end', () => resolve(frames));
    });
  }

  /** AckMessage of one delivery; resolves to the top-level status. */
  async ack(group: string, topic: string, messageId: string, receiptHandle: string): Promise<WireStatus | undefined> {
    const response = await this.#unary(this.#client.ackMessage, { group: { name: group }, topic: { name: topic }, entries: [{ messageId, receiptHandle }] });
    return response.status;
  }

  close(): void {
    this.#client.close();
  }

  #unary(method: Unary, request: object): Promise<{ status?: WireStatus }> {
    return new Promise((resolve, reject) => {
      method.call(this.#client, request, this.#metadata(), { deadline: Date.now() + 10_000 }, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }

  #metadata(): Metadata {
    const metadata = new grpc.Metadata();
    metadata.set('x-mq-client-id', this.#clientId);
    metadata.set('x-mq-protocol', 'v2');
    metadata.set('x-mq-language', 'HTTP');
    for (const [name, value] of Object.entries(this.headers())) metadata.set(name, value);
    return metadata;
  }
}
