#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfigFile, resolveConfig } from './config.js';
import { ConfigError } from './errors.js';
import type { LogLevel } from './logger.js';
import { startBroker } from './server.js';
import { runTransactionCommand } from './tx-command.js';

const USAGE = `usage:
  txmq-broker [--host 127.0.0.1] [--port 8081] [--data-dir ./.txmq-data] [--memory] [--config file.json] [--log-level info]
  txmq-broker tx list [--parked] [--json] [--endpoint 127.0.0.1:8081]
  txmq-broker tx commit|rollback <transactionId> [--endpoint 127.0.0.1:8081]
    (operator access to a RUNNING broker's transactions; see txmq-broker tx --help)
Options:
  --host        interface to listen on (default 127.0.0.1)
  --port        gRPC port (default 8081)
  --data-dir    durable store directory (default ./.txmq-data)
  --memory      keep everything in memory (nothing survives a restart)
  --config      JSON config: topics, groups, transaction, autoCreateTopics, autoCreateGroups, maxBodyBytes, retentionHours, minInvisibleMs, pushLongPollingMs
  --log-level   fatal | error | warn | info | debug | trace | silent (default info)`;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'tx') return runTransactionCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8081' },
      'data-dir': { type: 'string', default: './.txmq-data' },
      memory: { type: 'boolean', default: false },
      config: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] === 'tx') throw new ConfigError('"tx" must come first, with its own options after it: txmq-broker tx list --endpoint HOST:PORT');
  const config = values.config ? await loadConfigFile(values.config) : resolveConfig({});
  const logLevel = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (positionals.length > 0) throw new ConfigError(`unknown command ${JSON.stringify(positionals[0])}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be an integer from 0 to 65535, got ${values.port}`);

  const broker = await startBroker({ host: values.host, port, dataDir: values['data-dir'], memory: values.memory, config, logLevel });
  console.log(`txmq broker listening on ${broker.endpoint}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await broker.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`txmq-broker: ${(error as Error).message}\n${USAGE}`);
      process.exit(2);
    }
    console.error('txmq-broker: failed to start:', error);
    process.exit(1);
  },
);
