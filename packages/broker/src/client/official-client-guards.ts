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
 * instead, and streams created once `isReleased()` are cancelled at once, without telling the
 * session (which would schedule the next one).
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
    if (isReleased()) {
      // Silenced before it is cancelled: the session re-creates a stream 1 s after every 'error' or
      // 'end', so a cancelled stream that reported either would start that loop again, forever.
      stream.emit = (event, ...args) => (event === 'error' || event === 'end' || event === 'data' ? false : emit(event, ...args));
      stream.cancel?.();
    }
    return stream;
  };
}

/**
 * Makes `shutdown()` complete during an outage. The official client first tells the broker it is
 * leaving and only then releases its telemetry sessions and closes its channels; when the broker
 * cannot be reached that notice throws, `shutdown()` rejects half done, and the open channels
 * reconnect forever (keeping the process alive). The notice becomes best-effort.
 */
export function guardShutdown(client: OfficialClient, logger: ClientLogger): void {
  const rpc = (client as unknown as { rpcClientManager: { notifyClientTermination(...args: unknown[]): Promise<unknown> } }).rpcClientManager;
  const notify = rpc.notifyClientTermination.bind(rpc);
  rpc.notifyClientTermination = async (...args: unknown[]) => {
    try {
      return await notify(...args);
    } catch (error) {
      logger.warn('could not tell the broker this client is leaving:', (error as Error | undefined)?.message);
      return undefined;
    }
  };
}
