import type { ClientLogger } from './types.js';

interface StreamLike {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string | symbol): number;
  cancel?(): void;
}

/** The parts of an official client (`rocketmq-client-nodejs` Producer / consumers) this package drives. */
export interface OfficialClient {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Keeps a broker outage from crashing the process. The official client strips every listener
 * from a telemetry stream it releases and re-creates streams on a 1 s timer even after
 * `shutdown()`, so a connection reset on such a stream is an unhandled 'error' event
 * (an uncaughtException). Every stream `client` creates reports those errors to `logger`
 * instead, and streams created once `isReleased()` are cancelled at once.
 */
export function guardTelemetryStreams(client: OfficialClient, logger: ClientLogger, isReleased: () => boolean): void {
  const official = client as unknown as { createTelemetryStream(endpoints: unknown): StreamLike };
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
    if (isReleased()) stream.cancel?.();
    return stream;
  };
}
