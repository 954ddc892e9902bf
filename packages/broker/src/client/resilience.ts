import { loggerOf } from './shared.js';
import type { ClientLogger, ClientOptions } from './types.js';

interface StreamLike {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string | symbol): number;
  cancel?(): void;
}

interface OfficialClient {
  createTelemetryStream(endpoints: unknown): StreamLike;
  startup(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Keeps a broker outage from crashing the process. The official client strips every listener
 * from a telemetry stream it releases and re-creates streams on a 1 s timer even after
 * `shutdown()`, so a connection reset on such a stream is an unhandled 'error' event
 * (an uncaughtException). Every stream this client creates reports those errors to `logger`
 * instead, and streams created after `close` are cancelled at once.
 */
export function guardTelemetryStreams(client: unknown, logger: ClientLogger, isClosed: () => boolean): void {
  const official = client as OfficialClient;
  const create = official.createTelemetryStream.bind(official);
  official.createTelemetryStream = (endpoints: unknown) => {
    const stream = create(endpoints);
    const emit = stream.emit.bind(stream);
    stream.emit = (event, ...args) => {
      if (event === 'error' && stream.listenerCount('error') === 0) {
        logger.warn('telemetry stream failed after the client released it:', (args[0] as Error | undefined)?.message);
        return false;
      }
      return emit(event, ...args);
    };
    if (isClosed()) stream.cancel?.();
    return stream;
  };
}

/** Rejects when the client cannot start within `timeoutMs` (e.g. the broker is unreachable), and shuts it down. */
export async function startWithin(client: unknown, timeoutMs: number, endpoints: string): Promise<void> {
  const official = client as OfficialClient;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`could not start a RocketMQ client against ${endpoints} within ${timeoutMs} ms: is the broker reachable?`)), timeoutMs);
  });
  try {
    await Promise.race([official.startup(), timeout]);
  } catch (error) {
    await official.shutdown().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts an official client with both guards above and resolves to the function that shuts it
 * down (after which any telemetry stream it still re-creates is cancelled at once).
 */
export async function startGuarded(client: unknown, options: ClientOptions): Promise<() => Promise<void>> {
  let closed = false;
  guardTelemetryStreams(client, loggerOf(options), () => closed);
  await startWithin(client, options.startupTimeoutMs ?? 30_000, options.endpoints);
  return async () => {
    closed = true;
    await (client as OfficialClient).shutdown();
  };
}
