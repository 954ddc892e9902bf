import { Client, credentials } from '@grpc/grpc-js';

/** Reconnect quickly while probing, so a broker that comes up is noticed within half a second. */
export const PROBE_CHANNEL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 };
/**
 * grpc-js keeps a pending `waitForReady` (and its timer) until its deadline even when the channel
 * is closed, so the probe waits in short slices: an abort leaves at most one slice behind.
 */
const SLICE_MS = 500;

/**
 * Resolves to true once a gRPC (HTTP/2) connection to `target` is established, or to false when
 * none could be made before `deadline` (epoch ms) or `signal` aborts. Keeps retrying the
 * connection until then: a refused connection is not an answer, a broker still starting is common.
 */
export async function waitUntilReachable(target: string, sslEnabled: boolean, deadline: number, signal: AbortSignal): Promise<boolean> {
  const probe = new Client(target, sslEnabled ? credentials.createSsl() : credentials.createInsecure(), PROBE_CHANNEL_OPTIONS);
  try {
    return await waitUntilReady(probe, deadline, signal);
  } finally {
    probe.close();
  }
}

/** Like {@link waitUntilReachable}, on the channel of an existing grpc-js client (which stays open). */
export async function waitUntilReady(client: Client, deadline: number, signal: AbortSignal): Promise<boolean> {
  let abort: (() => void) | undefined;
  const aborted = new Promise<false>((resolve) => {
    abort = () => resolve(false);
    signal.addEventListener('abort', abort, { once: true });
  });
  try {
    while (!signal.aborted) {
      const sliceEnd = Math.min(deadline, Date.now() + SLICE_MS);
      const ready = new Promise<boolean>((resolve) => client.waitForReady(sliceEnd, (error) => resolve(error === undefined || error === null)));
      if (await Promise.race([ready, aborted])) return true;
      if (Date.now() >= deadline) return false;
    }
    return false;
  } finally {
    signal.removeEventListener('abort', abort!);
  }
}
