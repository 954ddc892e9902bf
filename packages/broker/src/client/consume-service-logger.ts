import { createRequire } from 'node:module';
import type { PushConsumer } from 'rocketmq-client-nodejs';
import { officialLogger } from './official-client-options.js';
import type { ClientLogger } from './types.js';

interface LoggerModule {
  getDefaultLogger: () => unknown;
}

/**
 * Makes the consume service of `consumer` log to `logger`. The official client's consume services
 * ignore the client's `logger` option: their constructors call the module-level
 * `getDefaultLogger()`, which opens a file logger under ~/logs/rocketmq that nothing closes (its
 * flush timer keeps the process alive). The consumer builds its consume service once, in
 * `startup()`, through `createConsumeService()`; this wraps that method on this one instance and
 * points `getDefaultLogger` at `logger` only for the duration of that synchronous call, so every
 * consumer gets its own logger and nothing else in the process is affected.
 */
export function routeConsumeServiceLogs(consumer: PushConsumer, logger: ClientLogger): void {
  const loggerModule = createRequire(import.meta.url)('rocketmq-client-nodejs/dist/client/Logger.js') as LoggerModule;
  const instance = consumer as unknown as { createConsumeService(): unknown };
  const create = instance.createConsumeService.bind(consumer);
  const own = officialLogger(logger);
  instance.createConsumeService = () => {
    const original = loggerModule.getDefaultLogger;
    loggerModule.getDefaultLogger = () => own;
    try {
      return create();
    } finally {
      loggerModule.getDefaultLogger = original;
    }
  };
}
