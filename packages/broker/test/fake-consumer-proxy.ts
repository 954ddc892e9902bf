import { Server, ServerCredentials, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { Encoding, MessageType } from '../src/wire/enums.js';
import { loadMessagingService } from '../src/wire/proto.js';
import { STATUS_CODES } from '../src/status-codes.js';
import {
  durationOf, type AckMessageRequest, type AckMessageResponse, type AckMessageResultEntry, type ReceiveMessageRequest, type ReceiveMessageResponse, type Status, type TelemetryCommand, type WireMessage,
} from '../src/wire/types.js';

const OK: Status = { code: STATUS_CODES.OK, message: 'OK' };
/** How long the fake parks a receive that finds nothing (or until the client cancels it). */
const EMPTY_POLL_MS = 300;

/** What the fake knows about acknowledgements (like a proxy in front of a broker). */
export interface AckBehaviour {
  /** Handles the proxy considers expired: their entries fail with INVALID_RECEIPT_HANDLE. */
  readonly expiredHandles: Set<string>;
  /** Messages whose next broker ack fails (once): INTERNAL_SERVER_ERROR "ack failed: status is abnormal". */
  readonly failingIds: Set<string>;
  /** The proxy auto-renewed these handles: the result entry carries the renewed handle, not the one the client sent. */
  readonly renewed: Map<string, string>;
}

/**
 * Answers an AckMessageRequest like a RocketMQ 5 proxy with `enableBatchAck`: expired handles are
 * answered first, then the entries the broker acked (result order differs from request order);
 * each entry carries the message id and the handle the proxy acked with; the top-level status is
 * the common code, or MULTIPLE_RESULTS when they differ.
 */
export function batchModeAnswer(request: AckMessageRequest, behaviour: AckBehaviour): AckMessageResponse {
  const expired: AckMessageResultEntry[] = [];
  const acked: AckMessageResultEntry[] = [];
  for (const { messageId = '', receiptHandle = '' } of request.entries ?? []) {
    if (behaviour.expiredHandles.has(receiptHandle)) {
      expired.push({ messageId, receiptHandle, status: { code: STATUS_CODES.INVALID_RECEIPT_HANDLE, message: 'receipt handle is expired' } });
      continue;
    }
    const handle = behaviour.renewed.get(receiptHandle) ?? receiptHandle;
    const status = behaviour.failingIds.delete(messageId) ? { code: STATUS_CODES.INTERNAL_SERVER_ERROR, message: 'ack failed: status is abnormal' } : OK;
    acked.push({ messageId, receiptHandle: handle, status });
  }
  const entries = [...expired, ...acked.reverse()];
  const codes = new Set(entries.map((e) => e.status!.code));
  const status = codes.size > 1 ? { code: STATUS_CODES.MULTIPLE_RESULTS, message: 'MULTIPLE_RESULTS' } : entries[0]?.status ?? { code: STATUS_CODES.INTERNAL_SERVER_ERROR, message: 'ack message result is empty' };
  return { status, entries };
}

/** A message the fake delivers: id, handle and body. */
export function wireDelivery(topic: string, messageId: string, receiptHandle: string): WireMessage {
  return {
    topic: { name: topic, resourceNamespace: '' },
    userProperties: {},
    systemProperties: { messageId, receiptHandle, deliveryAttempt: 1, bornTimestamp: { seconds: Math.floor(Date.now() / 1000), nanos: 0 }, messageType: MessageType.NORMAL, bodyEncoding: Encoding.IDENTITY },
    body: Buffer.from(`body of ${messageId}`),
  };
}

/**
 * A gRPC server speaking the consumer side of MessagingService like a RocketMQ proxy: a one-queue
 * route pointing back at itself, a Settings answer, ReceiveMessage streams (status frame, the
 * queued messages, a delivery timestamp frame; a receive that finds nothing is parked briefly and
 * answered MESSAGE_NOT_FOUND), and AckMessage answered as {@link batchModeAnswer}. Records acks.
 */
export class FakeConsumerProxy {
  readonly acks: AckMessageRequest[] = [];
  readonly ackAnswers: AckMessageResponse[] = [];
  readonly behaviour: AckBehaviour = { expiredHandles: new Set(), failingIds: new Set(), renewed: new Map() };
  /** Delivered by the next receive (all of them, up to its batch size). */
  readonly queued: WireMessage[] = [];
  /** Holds AckMessage answers while set. */
  hold: Promise<void> | undefined;
  endpoint = '';
  readonly #server = new Server();
  readonly #waiters: Array<() => void> = [];

  constructor() {
    const unary = <Req, Res>(handle: (request: Req) => Res | Promise<Res>) => async (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      callback(null, await handle(call.request));
      this.#changed();
    };
    this.#server.addService(loadMessagingService(), {
      QueryRoute: unary((request: { topic?: { name?: string } }) => {
        const [host, port] = this.endpoint.split(':');
        return {
          status: OK,
          messageQueues: [{
            topic: request.topic, id: 0, permission: 4, acceptMessageTypes: [1],
            broker: { name: 'fake', id: 0, endpoints: { scheme: 1, addresses: [{ host, port: Number(port) }] } },
          }],
        };
      }),
      Heartbeat: unary(() => ({ status: OK })),
      NotifyClientTermination: unary(() => ({ status: OK })),
      ChangeInvisibleDuration: unary((request: { receiptHandle?: string }) => ({ status: OK, receiptHandle: `${request.receiptHandle}-changed` })),
      AckMessage: unary(async (request: AckMessageRequest) => {
        this.acks.push(request);
        this.#changed();
        await this.hold;
        const answer = batchModeAnswer(request, this.behaviour);
        this.ackAnswers.push(answer);
        return answer;
      }),
      ReceiveMessage: (call: ServerWritableStream<ReceiveMessageRequest, ReceiveMessageResponse>) => void this.#receive(call),
      Telemetry: (stream: ServerDuplexStream<TelemetryCommand, TelemetryCommand>) => {
        stream.on('data', (command: TelemetryCommand) => {
          if (!command.settings) return;
          stream.write({
            status: OK,
            settings: {
              ...command.settings,
              backoffPolicy: { maxAttempts: 16, exponentialBackoff: { initial: durationOf(100), max: durationOf(100), multiplier: 1 } },
              subscription: { ...command.settings.subscription, fifo: false, receiveBatchSize: 32, longPollingTimeout: durationOf(1000) },
            },
          });
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

  /** Resolves once `condition` holds (checked after every call the fake answers or records). */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Queues messages for the next receive and wakes a parked one. */
  deliver(...messages: WireMessage[]): void {
    this.queued.push(...messages);
    this.#changed();
  }

  stop(): void {
    this.#server.forceShutdown();
  }

  async #receive(call: ServerWritableStream<ReceiveMessageRequest, ReceiveMessageResponse>): Promise<void> {
    let cancelled = false;
    call.on('cancelled', () => {
      cancelled = true;
      this.#changed();
    });
    const deadline = Date.now() + EMPTY_POLL_MS;
    while (this.queued.length === 0 && !cancelled && Date.now() < deadline) {
      const timer = setTimeout(() => this.#changed(), Math.max(0, deadline - Date.now()));
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
      clearTimeout(timer);
    }
    if (cancelled) return;
    const batch = this.queued.splice(0, call.request.batchSize ?? 32);
    if (batch.length === 0) {
      call.write({ status: { code: STATUS_CODES.MESSAGE_NOT_FOUND, message: 'no new message' } });
    } else {
      call.write({ status: OK });
      for (const message of batch) call.write({ message });
      call.write({ deliveryTimestamp: { seconds: Math.floor(Date.now() / 1000), nanos: 0 } });
    }
    call.end();
    this.#changed();
  }

  #changed(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
