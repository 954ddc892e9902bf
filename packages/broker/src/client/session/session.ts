/**
 * The session layer of the typed clients: everything a producer or consumer needs to talk RocketMQ 5
 * gRPC to a txmq broker or a RocketMQ proxy, on `@grpc/grpc-js` and the protos of `wire/`.
 *
 * A client creates one {@link ClientSession} (it does no I/O) and then:
 * - `await session.start(method)` before its first call: bounded by `startupTimeoutMs` (retrying
 *   while the broker comes up; `BrokerUnreachableError` naming the endpoint, `BrokerTimeoutError`
 *   when the broker never answers the Settings, the broker's refusal otherwise). Concurrent calls
 *   share one start; a failed start is forgotten, the next call starts again. Starting queries the
 *   routes of `topics()`, opens a Telemetry stream per route endpoint (the access point when there
 *   are no topics), sends the Settings (common fields + `pubSub()`) and awaits the broker's answer;
 *   then heartbeats (10 s, with `group`), route refreshes (30 s) and Settings syncs (5 min) run.
 * - `session.route(topic)`: the cached route (queues as they travel, distinct broker endpoints).
 * - `session.call(rpc, endpoint, request, options)`: a unary call with the request headers and a
 *   deadline (`requestTimeoutMs` unless `timeoutMs`); a gRPC failure or (unless
 *   `checkStatus: false`) an in-band refusal rejects with a `BrokerError` naming the endpoint.
 * - `session.stream(rpc, endpoint, request, timeoutMs)`: a server-streaming call (ReceiveMessage);
 *   map its errors with `session.toError(error)`. It waits for a connection within its deadline.
 * - `await session.reconnected(endpoint)`: waits (briefly) until the channel to `endpoint` is
 *   connected again; retries after a `BrokerUnreachableError` call it first.
 * - `session.resource(name)`: a topic or group Resource with the client's namespace.
 * - `session.serverSettings(endpoint)`: the Settings the broker answered (long polling, batch
 *   size, FIFO, body limit...); `session.syncSettings()` sends the client's Settings again.
 * - Telemetry commands: Settings, thread-stack and verify commands are answered here;
 *   RecoverOrphanedTransactionCommand goes to `onCommand` (with the endpoint to answer to).
 * - `session.signal` aborts on close (cancel long polls with it); `await session.close()` stops
 *   the timers, sends NotifyClientTermination (best effort, bounded), completes the Telemetry
 *   streams and closes the channels. Idempotent.
 *
 * Received wire messages become `ReceivedMessage`s with `toDelivery` (../consumer/received-message.js).
 */
import { hostname, platform } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectivityState, type ClientReadableStream } from '@grpc/grpc-js';
import { BrokerRefusedError, BrokerUnreachableError, ClientClosedError, type BrokerError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import { LANGUAGE_NODE_JS, type ClientTypeNumber } from '../../wire/enums.js';
import {
  durationOf, type HeartbeatRequest, type NotifyClientTerminationRequest, type QueryRouteResponse, type Resource, type Settings, type StatusResponse, type TelemetryCommand,
} from '../../wire/types.js';
import { loggerOf } from '../client-logger.js';
import { parseEndpoint } from '../endpoint.js';
import { toBrokerError } from '../error-mapping.js';
import { waitUntilReady } from '../reachability.js';
import { channelTlsOf, signingCredentials } from '../security-options.js';
import { transportMismatch, type ChannelTls } from '../transport-probe.js';
import type { ClientLogger, ClientOptions } from '../types.js';
import { Channels } from './channels.js';
import { CLIENT_VERSION, newClientId, requestMetadata, type SigningCredentials } from './metadata.js';
import { RouteCache, routeOf, toWireEndpoints, type Route } from './route.js';
import { refusalOf } from './status.js';
import { TelemetrySession } from './telemetry-session.js';

export type { Route } from './route.js';

/** `startupTimeoutMs` when the options do not say. */
const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
/** `requestTimeoutMs` when the options do not say. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 3000;
/** Pause before starting again after the broker went away during a start. */
const RESTART_PAUSE_MS = 200;
/** How often a started session does its background work (RocketMQ clients' periods). */
const INTERVALS = { heartbeatMs: 10_000, routeRefreshMs: 30_000, settingsSyncMs: 5 * 60_000 };
/** How long starting waits for a connection before it checks for a TLS mismatch (which no wait cures). */
const PROBE_AFTER_MS = 1000;
/** Longest {@link ClientSession.reconnected} waits: above the channels' largest reconnect back-off (1 s). */
const RECONNECT_WAIT_MS = 1500;

/** Runs `run` every `periodMs` until the returned function is called. */
export type Scheduler = (periodMs: number, run: () => void) => () => void;

/** The default {@link Scheduler}: an unref'd `setInterval` (it does not keep the process alive). */
const intervalScheduler: Scheduler = (periodMs, run) => {
  const timer = setInterval(run, periodMs);
  timer.unref();
  return () => clearInterval(timer);
};

/** What a client tells its {@link ClientSession}. */
export interface SessionOptions {
  /** Names the client in errors and logs (`producer`, `simple consumer`...). */
  readonly what: string;
  /** The client's (checked) options: endpoints, namespace, timeouts, TLS, logger. */
  readonly options: ClientOptions;
  readonly clientType: ClientTypeNumber;
  /** The consumer group (heartbeats and the termination notice name it). */
  readonly group?: string;
  /** Topics whose routes starting resolves (and refreshes keep fresh); read on every start. */
  readonly topics: () => readonly string[];
  /** The client-type part of the Settings (`publishing` or `subscription`); read on every send of the Settings. */
  readonly pubSub: () => Pick<Settings, 'publishing' | 'subscription'>;
  /** RecoverOrphanedTransactionCommand (and any command the session does not answer itself). */
  readonly onCommand?: (command: TelemetryCommand, endpoint: string) => void;
  /** Runs the background work (heartbeats, route refreshes, Settings syncs); default `setInterval`. */
  readonly scheduler?: Scheduler;
}

/** Options of one {@link ClientSession.call}. */
export interface CallOptions {
  /** Deadline in ms from now (default `requestTimeoutMs`). */
  readonly timeoutMs?: number;
  /** Check the response's in-band `status` (default true). */
  readonly checkStatus?: boolean;
  /** Status codes that count as success besides OK and MULTIPLE_RESULTS (e.g. MESSAGE_NOT_FOUND). */
  readonly alsoSuccess?: readonly number[];
}

/** One client's connection to a broker: channels, routes, Telemetry, heartbeats. See the file's TSDoc. */
export class ClientSession {
  readonly clientId = newClientId();
  /** The access point, `host:port`. */
  readonly endpoint: string;
  readonly namespace: string;
  readonly requestTimeoutMs: number;
  readonly logger: ClientLogger;
  readonly #opts: SessionOptions;
  readonly #abort = new AbortController();
  readonly #channels: Channels;
  readonly #tls: ChannelTls;
  readonly #routes: RouteCache;
  readonly #telemetry = new Map<string, TelemetrySession>();
  readonly #timers: Array<() => void> = [];
  #started = false;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(opts: SessionOptions) {
    this.#opts = opts;
    this.endpoint = parseEndpoint(opts.options.endpoints, 'endpoints', opts.what);
    this.namespace = opts.options.namespace ?? '';
    this.requestTimeoutMs = opts.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.logger = loggerOf(opts.options);
    const signing = signingCredentials(opts.options);
    this.#tls = channelTlsOf(opts.options, opts.what);
    this.#channels = new Channels(this.#tls, () => requestMetadata(this.clientId, this.namespace, new Date(), signing));
    this.#routes = new RouteCache((topic, timeoutMs) => this.#queryRoute(topic, timeoutMs));
  }

  /** Aborts when `close()` is called. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Starts the session unless it has (see the file's TSDoc); `method` names the call in a `ClientClosedError`. */
  start(method: string): Promise<void> {
    if (this.closed) return Promise.reject(new ClientClosedError(`${this.#opts.what}.${method}()`));
    if (this.#started) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** A topic or group Resource in the client's namespace. */
  resource(name: string): Resource {
    return { name, resourceNamespace: this.namespace };
  }

  /** The route of `topic` (queried on first use, then cached and refreshed every 30 s). */
  route(topic: string): Promise<Route> {
    return this.#routes.get(topic);
  }

  /** The Settings the broker at `endpoint` (default: any) answered, once it has. */
  serverSettings(endpoint?: string): Settings | undefined {
    if (endpoint !== undefined) return this.#telemetry.get(endpoint)?.settings;
    for (const session of this.#telemetry.values()) if (session.settings) return session.settings;
    return undefined;
  }

  /** Sends the client's Settings again on every Telemetry stream (after `pubSub()` changed). */
  syncSettings(): void {
    for (const session of this.#telemetry.values()) session.sync();
  }

  /** A unary call (see {@link CallOptions}); rejects with a `BrokerError`. */
  async call<Res extends StatusResponse>(rpc: string, endpoint: string, request: object, options: CallOptions = {}): Promise<Res> {
    if (this.closed) throw new ClientClosedError(`${this.#opts.what}.${rpc}()`);
    let response: Res;
    try {
      response = await this.#channels.unary<Res>(endpoint, rpc, request, Date.now() + (options.timeoutMs ?? this.requestTimeoutMs));
    } catch (error) {
      if (this.closed) throw new ClientClosedError(`${this.#opts.what}.${rpc}()`);
      throw error;
    }
    if (options.checkStatus !== false) {
      const refusal = refusalOf(response.status, endpoint, options.alsoSuccess);
      if (refusal) throw refusal;
    }
    return response;
  }

  /** A server-streaming call (ReceiveMessage) with a deadline `timeoutMs` from now; throws `ClientClosedError` once closed. */
  stream<Res>(rpc: string, endpoint: string, request: object, timeoutMs: number): ClientReadableStream<Res> {
    if (this.closed) throw new ClientClosedError(`${this.#opts.what}.${rpc}()`);
    return this.#channels.serverStream<Res>(endpoint, rpc, request, Date.now() + timeoutMs);
  }

  /**
   * Resolves to true once the channel to `endpoint` is connected (at once when it is), to false
   * when it was not within {@link RECONNECT_WAIT_MS} or the session closed. After a broker
   * restart, grpc-js connects again only when its reconnect back-off ran out, and fails the calls
   * made until then: a retry waits for this first.
   */
  reconnected(endpoint: string): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const client = this.#channels.client(endpoint);
    if (client.getChannel().getConnectivityState(false) === connectivityState.READY) return Promise.resolve(true);
    return waitUntilReady(client, Date.now() + RECONNECT_WAIT_MS, this.#abort.signal);
  }

  /**
   * `error` (of a call to `endpoint`, default the access point) as a `BrokerError`; once closed, a
   * `ClientClosedError` naming `method`, the user's method (`send`), whatever RPC failed.
   */
  toError(error: unknown, method: string, endpoint = this.endpoint): BrokerError {
    if (this.closed) return new ClientClosedError(`${this.#opts.what}.${method}()`);
    return toBrokerError(error, endpoint);
  }

  /** Stops everything (see the file's TSDoc); idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#abort.abort();
    await this.#starting?.catch(() => undefined);
    for (const cancel of this.#timers) cancel();
    if (this.#started) {
      const request: NotifyClientTerminationRequest = this.#opts.group !== undefined ? { group: this.resource(this.#opts.group) } : {};
      await Promise.all([...this.#telemetry.keys()].map((endpoint) =>
        this.#channels.unary(endpoint, 'NotifyClientTermination', request, Date.now() + this.requestTimeoutMs).catch((error: unknown) => {
          this.logger.warn(`could not tell the broker at ${endpoint} this ${this.#opts.what} is leaving:`, (error as Error).message);
        })));
    }
    await this.#dropTelemetry();
    this.#channels.close();
  }

  async #start(): Promise<void> {
    const timeoutMs = this.#opts.options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const signal = this.#abort.signal;
    const closedError = () => new ClientClosedError(`${this.#opts.what}.start()`);
    let lastFailure: BrokerError | undefined;
    for (;;) {
      const reachable = await this.#connected(deadline, signal);
      if (signal.aborted) throw closedError();
      if (!reachable) {
        const why = lastFailure ? `; last failure: ${lastFailure.message}` : ' (nothing accepted a gRPC connection there)';
        throw new BrokerUnreachableError(this.endpoint, `no connection within startupTimeoutMs = ${timeoutMs} ms${why}`, lastFailure && { cause: lastFailure });
      }
      try {
        await this.#handshake(deadline, timeoutMs);
        this.#started = true;
        this.#startTimers();
        return;
      } catch (error) {
        await this.#dropTelemetry();
        if (signal.aborted) throw closedError();
        const failure = toBrokerError(error, this.endpoint);
        // The broker went away between the probe and the handshake: keep trying until the deadline.
        if (failure instanceof BrokerUnreachableError && Date.now() + RESTART_PAUSE_MS < deadline) {
          lastFailure = failure;
          await sleep(RESTART_PAUSE_MS, undefined, { signal }).catch(() => undefined);
          if (signal.aborted) throw closedError();
          continue;
        }
        throw failure;
      }
    }
  }

  /**
   * Waits for a connection to the access point until `deadline`; when there is none after
   * {@link PROBE_AFTER_MS} and the cause is a TLS mismatch (plaintext to a TLS port, or the
   * reverse, or an untrusted certificate), fails at once with a `BrokerUnreachableError` saying so.
   */
  async #connected(deadline: number, signal: AbortSignal): Promise<boolean> {
    const client = this.#channels.client(this.endpoint);
    if (await waitUntilReady(client, Math.min(deadline, Date.now() + PROBE_AFTER_MS), signal)) return true;
    if (signal.aborted || Date.now() >= deadline) return false;
    const mismatch = await transportMismatch(this.endpoint, this.#tls);
    if (mismatch) throw new BrokerUnreachableError(this.endpoint, mismatch);
    return waitUntilReady(client, deadline, signal);
  }

  async #handshake(deadline: number, timeoutMs: number): Promise<void> {
    const topics = this.#opts.topics();
    const routeTimeoutMs = () => Math.max(1, Math.min(this.requestTimeoutMs, deadline - Date.now()));
    const routes = await Promise.all(topics.map((topic) => this.#routes.refresh(topic, routeTimeoutMs())));
    const endpoints = topics.length === 0 ? [this.endpoint] : [...new Set(routes.flatMap((route) => route.endpoints))];
    await Promise.all(endpoints.map((endpoint) => this.#telemetryTo(endpoint).ready(deadline, this.#abort.signal, timeoutMs)));
  }

  async #queryRoute(topic: string, timeoutMs?: number): Promise<Route> {
    const request = { topic: this.resource(topic), endpoints: toWireEndpoints(this.endpoint) };
    const response = await this.call<QueryRouteResponse>('QueryRoute', this.endpoint, request, timeoutMs === undefined ? {} : { timeoutMs });
    const route = routeOf(topic, response.messageQueues ?? []);
    if (route.endpoints.length === 0) {
      throw new BrokerRefusedError(STATUS_CODES.NOT_FOUND, `the broker at ${this.endpoint} answered no queue with an endpoint for topic ${topic}`);
    }
    if (!this.closed) for (const endpoint of route.endpoints) this.#telemetryTo(endpoint);
    return route;
  }

  #telemetryTo(endpoint: string): TelemetrySession {
    let session = this.#telemetry.get(endpoint);
    if (!session) {
      session = new TelemetrySession(endpoint, () => this.#channels.duplex(endpoint, 'Telemetry'), {
        settings: () => this.#settings(),
        onCommand: (command, from) => this.#opts.onCommand?.(command, from),
        logger: this.logger,
        what: `${this.#opts.what}.start()`,
      });
      this.#telemetry.set(endpoint, session);
    }
    return session;
  }

  async #dropTelemetry(): Promise<void> {
    const sessions = [...this.#telemetry.values()];
    this.#telemetry.clear();
    await Promise.all(sessions.map((session) => session.close()));
  }

  #settings(): Settings {
    return {
      clientType: this.#opts.clientType,
      accessPoint: toWireEndpoints(this.endpoint),
      requestTimeout: durationOf(this.requestTimeoutMs),
      userAgent: { language: LANGUAGE_NODE_JS, version: CLIENT_VERSION, platform: platform(), hostname: hostname() },
      ...this.#opts.pubSub(),
    };
  }

  #startTimers(): void {
    const schedule = this.#opts.scheduler ?? intervalScheduler;
    const every = (ms: number, run: () => Promise<unknown> | void) => {
      this.#timers.push(schedule(ms, () => {
        Promise.resolve(run()).catch((error: unknown) => this.logger.debug?.(`${this.#opts.what} background call failed:`, error));
      }));
    };
    every(INTERVALS.heartbeatMs, () => this.#heartbeat());
    every(INTERVALS.routeRefreshMs, () => this.#routes.refreshAll());
    every(INTERVALS.settingsSyncMs, () => this.syncSettings());
  }

  #heartbeat(): Promise<unknown> {
    const request: HeartbeatRequest = {
      clientType: this.#opts.clientType,
      ...(this.#opts.group !== undefined && { group: this.resource(this.#opts.group) }),
    };
    return Promise.allSettled([...this.#telemetry.keys()].map((endpoint) => this.call('Heartbeat', endpoint, request)));
  }
}
