import type { ClientDuplexStream } from '@grpc/grpc-js';
import { BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError, ClientClosedError, type BrokerError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import type { Settings, TelemetryCommand } from '../../wire/types.js';
import { fromGrpcStatus, isServiceError } from '../error-mapping.js';
import type { ClientLogger } from '../types.js';
import { refusalOf } from './status.js';

/** Re-open delays after a stream ended: doubling from the first to the last, back to the first after a Settings answer. */
const REOPEN_FIRST_MS = 200;
const REOPEN_MAX_MS = 5000;
/** Stream refusals (UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED) that fail a waiting start at once. */
const PERMANENT_REFUSALS: ReadonlySet<number> = new Set([STATUS_CODES.UNAUTHORIZED, STATUS_CODES.FORBIDDEN, STATUS_CODES.NOT_IMPLEMENTED]);
/** How long `close()` waits for the broker to complete the stream after the client half-closed it. */
const CLOSE_GRACE_MS = 1000;

export type TelemetryStream = ClientDuplexStream<TelemetryCommand, TelemetryCommand>;

/** What a {@link TelemetrySession} needs from its client. */
export interface TelemetryHooks {
  /** The Settings to send, read on every (re-)send. */
  settings(): Settings;
  /** A command the session does not answer itself (RecoverOrphanedTransactionCommand), with the endpoint that sent it. */
  onCommand(command: TelemetryCommand, endpoint: string): void;
  readonly logger: ClientLogger;
  /** Describes the client in errors (`producer.start()`). */
  readonly what: string;
}

interface Waiter {
  resolve(): void;
  reject(error: BrokerError): void;
}

/**
 * The Telemetry stream to one endpoint: sends the client's Settings when it opens (and on
 * `sync()`), remembers the broker's Settings answer, answers the broker's diagnostic commands,
 * hands transaction check-backs to the client, and re-opens with backoff when the stream ends
 * (a broker restart) until `close()`.
 */
export class TelemetrySession {
  readonly endpoint: string;
  readonly #open: () => TelemetryStream;
  readonly #hooks: TelemetryHooks;
  #stream: TelemetryStream | undefined;
  #settings: Settings | undefined;
  #answered = false;
  #lastFailure: BrokerError | undefined;
  #reopenMs = REOPEN_FIRST_MS;
  #reopenTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #waiters: Waiter[] = [];

  constructor(endpoint: string, open: () => TelemetryStream, hooks: TelemetryHooks) {
    this.endpoint = endpoint;
    this.#open = open;
    this.#hooks = hooks;
    this.#connect();
  }

  /** The Settings the broker last answered (undefined until its first answer). */
  get settings(): Settings | undefined {
    return this.#settings;
  }

  /** Sends the client's Settings again (new topics, periodic sync). */
  sync(): void {
    this.#write({ settings: this.#hooks.settings() });
  }

  /**
   * Resolves once the broker answered the Settings (at once when it has), rejects with its
   * refusal when it answered an error status instead, and at `deadline` (epoch ms) with
   * `BrokerUnreachableError` (the stream could not be opened) or `BrokerTimeoutError`.
   */
  ready(deadline: number, signal: AbortSignal, timeoutMs: number): Promise<void> {
    if (this.#answered) return Promise.resolve();
    if (this.#closed || signal.aborted) return Promise.reject(new ClientClosedError(this.#hooks.what));
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
      };
      const waiter: Waiter = {
        resolve: () => (done(), resolve()),
        reject: (error) => (done(), reject(error)),
      };
      const onAbort = () => waiter.reject(new ClientClosedError(this.#hooks.what));
      const timer = setTimeout(() => {
        const why = `no answer to the client's settings within startupTimeoutMs = ${timeoutMs} ms`;
        waiter.reject(this.#lastFailure instanceof BrokerUnreachableError
          ? new BrokerUnreachableError(this.endpoint, `${why}; last failure: ${this.#lastFailure.message}`, { cause: this.#lastFailure })
          : new BrokerTimeoutError(this.endpoint, `connected, but ${why}`, this.#lastFailure && { cause: this.#lastFailure }));
      }, Math.max(0, deadline - Date.now()));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Half-closes the stream and waits (briefly) for the broker to complete it; no re-open after this. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#reopenTimer);
    for (const waiter of [...this.#waiters]) waiter.reject(new ClientClosedError(this.#hooks.what));
    const stream = this.#stream;
    this.#stream = undefined;
    if (!stream) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        stream.cancel();
        resolve();
      }, CLOSE_GRACE_MS);
      timer.unref();
      stream.on('status', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        stream.end();
      } catch {
        stream.cancel();
      }
    });
  }

  #connect(): void {
    if (this.#closed) return;
    let stream: TelemetryStream;
    try {
      stream = this.#open();
    } catch (error) {
      this.#lastFailure = error as BrokerError;
      this.#scheduleReopen();
      return;
    }
    this.#stream = stream;
    stream.on('data', (command: TelemetryCommand) => {
      if (this.#stream === stream) this.#onCommand(command);
    });
    stream.on('error', (error: unknown) => {
      if (this.#stream !== stream) return;
      const failure = isServiceError(error) ? fromGrpcStatus(error, this.endpoint) : new BrokerUnreachableError(this.endpoint, String(error), { cause: error });
      this.#lastFailure = failure;
      // No re-open changes a refusal of the client itself: a start waiting for the Settings fails now.
      if (failure instanceof BrokerRefusedError && PERMANENT_REFUSALS.has(failure.status)) {
        for (const waiter of [...this.#waiters]) waiter.reject(failure);
      }
      this.#ended(stream);
    });
    stream.on('end', () => this.#ended(stream));
    this.#write({ settings: this.#hooks.settings() });
  }

  #ended(stream: TelemetryStream): void {
    if (this.#stream !== stream) return;
    this.#stream = undefined;
    stream.cancel();
    this.#scheduleReopen();
  }

  #scheduleReopen(): void {
    if (this.#closed) return;
    const delay = this.#reopenMs;
    this.#reopenMs = Math.min(REOPEN_MAX_MS, this.#reopenMs * 2);
    this.#reopenTimer = setTimeout(() => this.#connect(), delay);
    this.#reopenTimer.unref();
  }

  #onCommand(command: TelemetryCommand): void {
    if (command.settings) {
      this.#settings = command.settings;
      this.#answered = true;
      this.#reopenMs = REOPEN_FIRST_MS;
      for (const waiter of [...this.#waiters]) waiter.resolve();
      return;
    }
    if (command.printThreadStackTraceCommand) {
      this.#write({
        status: { code: STATUS_CODES.OK, message: 'OK' },
        threadStackTrace: { nonce: command.printThreadStackTraceCommand.nonce ?? '', threadStackTrace: 'Node.js has a single JavaScript thread; no stack traces to report' },
      });
      return;
    }
    if (command.verifyMessageCommand) {
      this.#write({
        status: { code: STATUS_CODES.NOT_IMPLEMENTED, message: 'this client does not verify messages' },
        verifyMessageResult: { nonce: command.verifyMessageCommand.nonce ?? '' },
      });
      return;
    }
    if (command.reconnectEndpointsCommand) {
      const stream = this.#stream;
      if (stream) {
        this.#stream = undefined;
        stream.end();
      }
      this.#connect();
      return;
    }
    if (command.recoverOrphanedTransactionCommand) {
      this.#hooks.onCommand(command, this.endpoint);
      return;
    }
    const refusal = refusalOf(command.status, this.endpoint, [], "the client's settings");
    if (refusal) {
      if (this.#waiters.length === 0) this.#hooks.logger.warn(refusal.message);
      for (const waiter of [...this.#waiters]) waiter.reject(refusal);
    }
  }

  #write(command: TelemetryCommand): void {
    try {
      this.#stream?.write(command);
    } catch (error) {
      this.#hooks.logger.debug?.(`telemetry write to ${this.endpoint} failed:`, error);
    }
  }
}
