import { Client, credentials } from '@grpc/grpc-js';

/** Reconnect quickly while probing, so a broker that comes up is noticed within half a second. */
const PROBE_CHANNEL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 };

/**
 * Resolves to true once a gRPC (HTTP/2) connection to `target` is established, or to false when
 * none could be made before `deadline` (epoch ms) or `signal` aborts. Keeps retrying the
 * connection until then: a refused connection is not an answer, a broker still starting is common.
 */
export function waitUntilReachable(target: string, sslEnabled: boolean, deadline: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  const probe = new Client(target, sslEnabled ? credentials.createSsl() : credentials.createInsecure(), PROBE_CHANNEL_OPTIONS);
  return new Promise<boolean>((resolve) => {
    const abort = () => probe.close();
    signal.addEventListener('abort', abort, { once: true });
    probe.waitForReady(deadline, (error) => {
      signal.removeEventListener('abort', abort);
      probe.close();
      resolve(error === undefined || error === null);
    });
  });
}
