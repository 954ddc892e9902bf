import { createRequire } from 'node:module';
import type { ClientLogger } from './types.js';

let patched = false;

/**
 * The official client's consume services (inside every PushConsumer) ignore the `logger` option and
 * each open their own file logger under ~/logs through `getDefaultLogger()`; nothing closes it,
 * and its flush timer keeps the process alive after `shutdown()`. This points that factory (looked
 * up on the module at call time) at `logger` instead, once per process: the official client
 * offers no per-client way to do it.
 */
export function routeConsumeServiceLogs(logger: ClientLogger): void {
  if (patched) return;
  patched = true;
  const loggerModule = createRequire(import.meta.url)('rocketmq-client-nodejs/dist/client/Logger.js') as { getDefaultLogger: () => unknown };
  loggerModule.getDefaultLogger = () => ({ ...logger, close: () => undefined });
}
