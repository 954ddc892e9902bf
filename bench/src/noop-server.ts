import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { loadPackageDefinition, Server, ServerCredentials, status, type ServerDuplexStream, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** A gRPC server that answers a RocketMQ 5 producer at once, storing nothing. */
export interface NoopServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

const OK = { code: 20000, message: 'OK' };
const NORMAL = 1;
const READ_WRITE = 4;
const IPV4 = 1;

function messagingService(): ServiceDefinition {
  const require = createRequire(import.meta.url);
  const protoRoot = `${dirname(require.resolve('rocketmq-client-nodejs/package.json'))}/proto`;
  const definition = loadSync('apache/rocketmq/v2/service.proto', { includeDirs: [protoRoot], keepCase: false, longs: String, defaults: false, oneofs: true });
  const root = loadPackageDefinition(definition) as unknown as { apache: { rocketmq: { v2: { MessagingService: { service: ServiceDefinition } } } } };
  return root.apache.rocketmq.v2.MessagingService.service;
}

type Unary = (call: { request: Record<string, any> }, callback: (error: null, response: unknown) => void) => void;

/**
 * Starts the no-op server on 127.0.0.1: QueryRoute names one writable queue on itself, Telemetry
 * echoes the client's settings (the client waits for them to start), Heartbeat,
 * NotifyClientTermination and SendMessage answer OK at once (one entry per message). What a client
 * reaches against it is that client's own ceiling.
 */
export async function startNoopServer(): Promise<NoopServer> {
  const server = new Server();
  let port = 0;
  const unary = (answer: (request: Record<string, any>) => unknown): Unary => (call, callback) => callback(null, answer(call.request));
  const implementation: UntypedServiceImplementation = {
    QueryRoute: unary((request) => ({
      status: OK,
      messageQueues: [{
        topic: request.topic,
        id: 0,
        permission: READ_WRITE,
        broker: { name: 'noop', id: 0, endpoints: { scheme: IPV4, addresses: [{ host: '127.0.0.1', port }] } },
        acceptMessageTypes: [NORMAL],
      }],
    })),
    Heartbeat: unary(() => ({ status: OK })),
    NotifyClientTermination: unary(() => ({ status: OK })),
    SendMessage: unary((request) => ({
      status: OK,
      entries: (request.messages as { systemProperties?: { messageId?: string } }[]).map((m) => ({
        status: OK, messageId: m.systemProperties?.messageId ?? '', transactionId: '', offset: '0',
      })),
    })),
    Telemetry: (call: ServerDuplexStream<Record<string, any>, unknown>) => {
      call.on('data', (command: Record<string, any>) => {
        if (!command.settings) return;
        const settings = command.settings as Record<string, any>;
        call.write({
          status: OK,
          settings: {
            ...settings,
            backoffPolicy: { maxAttempts: 1, exponentialBackoff: { initial: { seconds: '0', nanos: 10_000_000 }, max: { seconds: '1', nanos: 0 }, multiplier: 2 } },
            publishing: { topics: settings.publishing?.topics ?? [], maxBodySize: 4 * 1024 * 1024, validateMessageType: false },
          },
        });
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  };
  server.addService(messagingService(), new Proxy(implementation, {
    get: (target, name: string) => target[name] ?? ((_: unknown, callback: (error: { code: number }) => void) => callback({ code: status.UNIMPLEMENTED })),
  }));
  port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  widenConnectionWindows(server);
  return {
    endpoint: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000).unref();
    }),
  };
}

/**
 * Gives every HTTP/2 session a 16 MiB connection window, as the txmq broker does: with the
 * default 64 KiB, 256 concurrent 1 KiB sends stall on flow control and the server, not the
 * client, would set the ceiling. Reaches into grpc-js's HTTP/2 servers (not public API).
 */
function widenConnectionWindows(server: Server): void {
  const http2Servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  for (const http2Server of http2Servers?.keys() ?? []) {
    http2Server.on('session', (session: ServerHttp2Session) => {
      try {
        session.setLocalWindowSize(16 * 1024 * 1024);
      } catch {
        // a session that closed at once keeps its window
      }
    });
  }
}
