import { Server, ServerCredentials, type Metadata, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { loadMessagingService } from '../src/wire/proto.js';
import type {
  EndTransactionRequest, HeartbeatRequest, SendMessageRequest, SendMessageResponse, Settings, TelemetryCommand, WireMessage,
} from '../src/wire/types.js';

const OK = { code: 20000, message: 'OK' };

/** How the fake answers a SendMessageRequest. */
export type SendAnswer = (request: SendMessageRequest, call: number) => SendMessageResponse;

/**
 * Like every released RocketMQ 5 proxy: ONE entry for the whole request (status for all, offset
 * of the first message, the client ids comma-joined, transaction id of message 0).
 */
export const proxyAnswer: SendAnswer = (request) => {
  const messages = request.messages ?? [];
  const ids = messages.map((m) => m.systemProperties?.messageId ?? '');
  return { status: OK, entries: [{ status: OK, messageId: ids.join(','), transactionId: ids[0] ?? '', offset: '100' }] };
};

/** Like txmq: one entry per message; a message with user property `refuse` is refused with that status code. */
export const perMessageAnswer: SendAnswer = (request) => {
  const entries = (request.messages ?? []).map((m, i) => {
    const refuse = m.userProperties?.refuse;
    const id = m.systemProperties?.messageId ?? '';
    return refuse ? { status: { code: Number(refuse), message: 'refused by the fake' }, messageId: id } : { status: OK, messageId: id, transactionId: id, offset: String(200 + i) };
  });
  const failed = entries.find((e) => e.status.code !== 20000);
  return { status: failed?.status ?? OK, entries };
};

/**
 * A gRPC server speaking just enough MessagingService to drive our client: a one-queue route that
 * points back at itself, a Settings answer on Telemetry, and the producer's RPCs, all recorded.
 */
export class FakeProxy {
  readonly sends: SendMessageRequest[] = [];
  readonly endTransactions: EndTransactionRequest[] = [];
  readonly heartbeats: HeartbeatRequest[] = [];
  readonly settings: Settings[] = [];
  readonly telemetryReplies: TelemetryCommand[] = [];
  readonly headers: Metadata[] = [];
  readonly calls: string[] = [];
  readonly streams: ServerDuplexStream<TelemetryCommand, TelemetryCommand>[] = [];
  answer: SendAnswer;
  /** What Telemetry answers to Settings (default: OK with them merged with the broker's); undefined: nothing. */
  settingsAnswer: ((settings: Settings) => TelemetryCommand | undefined) | undefined;
  /** Topics whose QueryRoute fails with gRPC NOT_FOUND. */
  readonly unknownTopics = new Set<string>();
  /** When set, Telemetry streams end at once with this gRPC status (a refused client). */
  telemetryRefusal: { code: number; details: string } | undefined;
  /** Holds SendMessage answers while set: resolve it to release them. */
  hold: Promise<void> | undefined;
  endpoint = '';
  readonly #server = new Server();
  readonly #waiters: Array<() => void> = [];

  constructor(answer: SendAnswer) {
    this.answer = answer;
    const unary = <Req, Res>(name: string, handle: (request: Req) => Res | Promise<Res>) => async (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      this.calls.push(name);
      this.headers.push(call.metadata);
      try {
        callback(null, await handle(call.request));
      } catch (error) {
        callback(error as Error);
      }
      this.#changed();
    };
    this.#server.addService(loadMessagingService(), {
      QueryRoute: unary('QueryRoute', (request: { topic?: { name?: string } }) => {
        if (this.unknownTopics.has(request.topic?.name ?? '')) throw Object.assign(new Error('no such topic'), { code: 5, details: 'no such topic' });
        const [host, port] = this.endpoint.split(':');
        return {
          status: OK,
          messageQueues: [{
            topic: request.topic, id: 0, permission: 4, acceptMessageTypes: [1, 2, 3, 4],
            broker: { name: 'fake', id: 0, endpoints: { scheme: 1, addresses: [{ host, port: Number(port) }] } },
          }],
        };
      }),
      Heartbeat: unary('Heartbeat', (request: HeartbeatRequest) => (this.heartbeats.push(request), { status: OK })),
      NotifyClientTermination: unary('NotifyClientTermination', () => ({ status: OK })),
      SendMessage: unary('SendMessage', async (request: SendMessageRequest) => {
        this.sends.push(request);
        const call = this.sends.length;
        this.#changed();
        await this.hold;
        return this.answer(request, call);
      }),
      EndTransaction: unary('EndTransaction', (request: EndTransactionRequest) => {
        this.endTransactions.push(request);
        return { status: OK };
      }),
      RecallMessage: unary('RecallMessage', () => ({ status: OK, messageId: 'recalled-id' })),
      Telemetry: (stream: ServerDuplexStream<TelemetryCommand, TelemetryCommand>) => {
        this.calls.push('Telemetry');
        this.headers.push(stream.metadata);
        this.streams.push(stream);
        if (this.telemetryRefusal) {
          stream.emit('error', { ...this.telemetryRefusal, metadata: undefined });
          this.#changed();
          return;
        }
        stream.on('data', (command: TelemetryCommand) => {
          if (command.settings) {
            this.settings.push(command.settings);
            if (this.settingsAnswer) {
              const answer = this.settingsAnswer(command.settings);
              if (answer) stream.write(answer);
            } else stream.write({
              status: OK,
              settings: { ...command.settings, backoffPolicy: { maxAttempts: 3, exponentialBackoff: { initial: { nanos: 1_000_000 }, max: { nanos: 1_000_000 }, multiplier: 1 } }, publishing: { ...command.settings.publishing, maxBodySize: 4 * 1024 * 1024, validateMessageType: true } },
            });
          } else {
            this.telemetryReplies.push(command);
          }
          this.#changed();
        });
        stream.on('end', () => stream.end());
        stream.on('error', () => undefined);
      },
    });
  }

  async start(): Promise<void> {
    const port = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    this.endpoint = `127.0.0.1:${port}`;
  }

  /** Sends a command to the client on its (latest) Telemetry stream. */
  push(command: TelemetryCommand): void {
    this.streams.at(-1)!.write(command);
  }

  /** Resolves once `condition` holds (checked after every call the fake records). */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  stop(): void {
    this.#server.forceShutdown();
  }

  #changed(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** The ids the client gave the messages of a request. */
export function idsOf(messages: readonly WireMessage[] | undefined): string[] {
  return (messages ?? []).map((m) => m.systemProperties?.messageId ?? '');
}
