import type { PushConsumer } from 'rocketmq-client-nodejs';

interface AssignmentRpc {
  queryAssignment(...args: unknown[]): Promise<unknown>;
}

/**
 * Lets a push consumer's shutdown wait for its assignment scans. The official PushConsumer scans
 * its assignments 1 s after start-up (a timer it does not keep) and then every 5 s; a scan still
 * running when `shutdown()` has dropped the process queues creates new ones, whose receive loop
 * then runs forever. The returned function resolves once the first scan has run and no scan is
 * in flight; shutting down right then (in the same turn) is safe, since `shutdown()` stops the
 * periodic scans synchronously.
 */
export function trackAssignmentScans(consumer: PushConsumer): () => Promise<void> {
  const rpc = (consumer as unknown as { rpcClientManager: AssignmentRpc }).rpcClientManager;
  const query = rpc.queryAssignment.bind(rpc);
  let scanned = false;
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const settle = () => {
    if (scanned && inFlight === 0) for (const resolve of waiting.splice(0)) resolve();
  };
  rpc.queryAssignment = async (...args: unknown[]) => {
    scanned = true;
    inFlight++;
    try {
      return await query(...args);
    } finally {
      inFlight--;
      // After the scan's own continuation (which creates the process queues) has run.
      setImmediate(settle);
    }
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      settle();
    });
}
