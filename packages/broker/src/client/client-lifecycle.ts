import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerError, BrokerTimeoutError, BrokerUnreachableError, ClientClosedError } from '../errors.js';
import { toBrokerError } from './official-error-mapping.js';
import { guardShutdown, guardTelemetryStreams, type OfficialClient } from './official-client-guards.js';
import { loggerOf } from './client-logger.js';
import { endpointOf } from './official-client-options.js';
import { waitUntilReachable } from './reachability.js';
import { resendSettingsWhileStarting } from './settings-resend.js';
import type { ClientOptions } from './types.js';

/** `startupTimeoutMs` when the options do not say. */
const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
/** Pause before starting again after the broker went away during a start. */
const RESTART_PAUSE_MS = 200;

/**
 * Owns one official client for a typed client: builds and starts it on first use (one start at a
 * time; a failed start is forgotten, so the next call tries again), maps its failures to
 * {@link BrokerError}s, and shuts it down once on `close()`. The official client is only built
 * when starting: its constructor already starts timers.
 */
export class ClientLifecycle<C extends OfficialClient> {
  readonly #what: string;
  readonly #options: ClientOptions;
  readonly #endpoint: string;
  readonly #build: () => C;
  readonly #beforeShutdown: (() => Promise<void>) | undefined;
  readonly #abort = new AbortController();
  #client: C | undefined;
  #starting: Promise<C> | undefined;
  #closing: Promise<void> | undefined;
  #startedAt: number | undefined;

  /**
   * @param what - names the client in errors (`producer`, `push consumer`...).
   * @param build - constructs a new, not yet started, official client.
   * @param beforeShutdown - runs on close, after any start has settled and before the shutdown.
   */
  constructor(what: string, options: ClientOptions, build: () => C, beforeShutdown?: () => Promise<void>) {
    this.#what = what;
    this.#options = options;
    this.#endpoint = endpointOf(options);
    this.#build = build;
    this.#beforeShutdown = beforeShutdown;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** When the official client finished starting (epoch ms), or undefined when it has not. */
  get startedAt(): number | undefined {
    return this.#startedAt;
  }

  /** The started official client, starting it first when needed. `method` names the call in a {@link ClientClosedError}. */
  client(method: string): Promise<C> {
    if (this.closed) return Promise.reject(new ClientClosedError(`${this.#what}.${method}()`));
    if (this.#client) return Promise.resolve(this.#client);
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** Runs `call` on the started client; any failure is reported as a {@link BrokerError}. */
  async run<T>(method: string, call: (client: C) => Promise<T>): Promise<T> {
    const client = await this.client(method);
    try {
      return await call(client);
    } catch (error) {
      if (this.closed && !(error instanceof BrokerError)) throw new ClientClosedError(`${this.#what}.${method}()`);
      throw toBrokerError(error, this.#endpoint);
    }
  }

  /** Stops a start in progress, shuts the official client down; idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#abort.abort();
    await this.#starting?.catch(() => undefined);
    await this.#beforeShutdown?.();
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.shutdown().catch((error: unknown) => loggerOf(this.#options).warn(`${this.#what} shutdown failed:`, error));
  }

  async #start(): Promise<C> {
    const endpoints = this.#endpoint;
    const timeoutMs = this.#options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const signal = this.#abort.signal;
    const closedError = () => new ClientClosedError(`${this.#what}.start()`);
    let lastFailure: BrokerError | undefined;
    for (;;) {
      const reachable = await waitUntilReachable(endpoints, this.#options.sslEnabled ?? false, deadline, signal);
      if (signal.aborted) throw closedError();
      if (!reachable) {
        const why = lastFailure ? `; last failure: ${lastFailure.message}` : ' (nothing accepted a gRPC connection there)';
        throw new BrokerUnreachableError(endpoints, `no connection within startupTimeoutMs = ${timeoutMs} ms${why}`, lastFailure && { cause: lastFailure });
      }
      const client = this.#build();
      let released = false;
      guardTelemetryStreams(client, loggerOf(this.#options), () => released || this.closed);
      guardShutdown(client, loggerOf(this.#options));
      const outcome = await startWithin(client, deadline, signal);
      if (outcome.kind === 'started') {
        this.#client = client;
        this.#startedAt = Date.now();
        return client;
      }
      released = true;
      await client.shutdown().catch(() => undefined);
      if (outcome.kind === 'pending') {
        // The official client keeps starting in the background (it may register timers when it
        // finishes); shut it down again once it is done.
        outcome.startup.then(() => client.shutdown(), () => undefined).catch(() => undefined);
      }
      if (signal.aborted) throw closedError();
      if (outcome.kind === 'pending') {
        throw new BrokerTimeoutError(endpoints, `connected, but the client did not finish starting within startupTimeoutMs = ${timeoutMs} ms`);
      }
      const failure = toBrokerError(outcome.error, endpoints);
      // The broker went away between the probe and the start: keep trying until the deadline.
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

type StartOutcome = { kind: 'started' } | { kind: 'failed'; error: unknown } | { kind: 'pending'; startup: Promise<void> };

/** Starts `client`, giving up (without cancelling it) at `deadline` or when `signal` aborts. */
async function startWithin(client: OfficialClient, deadline: number, signal: AbortSignal): Promise<StartOutcome> {
  const startup = client.startup();
  const stopResending = resendSettingsWhileStarting(client, startup);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const gaveUp = new Promise<StartOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'pending', startup }), Math.max(0, deadline - Date.now()));
    onAbort = () => resolve({ kind: 'pending', startup });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([
      startup.then((): StartOutcome => ({ kind: 'started' }), (error: unknown): StartOutcome => ({ kind: 'failed', error })),
      gaveUp,
    ]);
  } finally {
    stopResending();
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
