import { setLogger } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { resolveTls } from '../auth/tls-config.js';
import { loadConfigFile, resolveConfig, type ResolvedConfig } from '../config.js';
import { AddressInUseError, ConfigError, isBrokerError, type BrokerError } from '../errors.js';
import { createLogger, type LogLevel } from '../logger.js';
import { startBroker } from '../server.js';
import { CONSOLE_IO, type CommandIo } from './io.js';
import { parseCommandLine } from './parse-args.js';

export const USAGE = `usage:
  txmq-broker [--host 127.0.0.1] [--port 8081] [--http-port N] [--data-dir ./.txmq-data] [--memory] [--config file.json] [--log-level info]
              [--tls-cert server.pem --tls-key server-key.pem]
  txmq-broker admin topics|groups|message|trace|dlq|reset|tx ... [--endpoint 127.0.0.1:8081] [--json]
    (operator access to a RUNNING broker; see txmq-broker admin --help)
  txmq-broker tx list|commit|rollback ...   (the same as txmq-broker admin tx)
Options:
  --host        interface to listen on (default 127.0.0.1)
  --port        gRPC port (default 8081)
  --http-port   web console, its JSON API (/api/) and Prometheus metrics (/metrics) on this port
                of --host (off unless given; 0 picks a free one). No authentication: keep it local
  --data-dir    durable store directory (default ./.txmq-data)
  --memory      keep everything in memory (nothing survives a restart)
  --config      JSON config: topics, groups, transaction, autoCreateTopics, autoCreateGroups, maxBodyBytes, retentionHours, minInvisibleMs, pushLongPollingMs, reconnectGraceMs, acl, tls
  --log-level   fatal | error | warn | info | debug | trace | silent (default info)
  --tls-cert    PEM certificate (chain) to serve TLS with; needs --tls-key; overrides the config's tls
  --tls-key     PEM private key of --tls-cert`;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** What `txmq-broker [options]` was asked to run. */
interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly httpPort?: number;
  readonly dataDir: string;
  readonly memory: boolean;
  readonly config: ResolvedConfig;
  readonly logLevel: LogLevel;
}

/**
 * `txmq-broker [options]`: runs a broker until SIGTERM or SIGINT, then drains it.
 *
 * @returns the process exit code: 0 stopped cleanly, 1 could not start, 2 usage or config error.
 */
export async function runServeCommand(argv: string[], io: CommandIo = CONSOLE_IO): Promise<number> {
  let options: ServeOptions | 'help';
  try {
    options = await parseServeOptions(argv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`txmq-broker: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    io.out(USAGE);
    return 0;
  }
  const log = createLogger(options.logLevel);
  routeGrpcLogs(log);
  // Listening from before the start to the end of the drain, not just for the first signal: a
  // signal while starting stops the broker once it is up, and Ctrl-C under npm or npx delivers
  // SIGINT twice (from the terminal and forwarded), where a signal with no listener left would end
  // the process in the middle of the drain.
  let stop!: (signal: NodeJS.Signals) => void;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  process.on('SIGTERM', stop).on('SIGINT', stop);
  try {
    let broker;
    try {
      broker = await startBroker({ ...options, logger: log });
    } catch (error) {
      if (!isBrokerError(error, 'ADDRESS_IN_USE')) throw error;
      io.err(`txmq-broker: ${error.message} (is another broker running? choose another port with ${portFlagOf(error)})`);
      return 1;
    }
    io.out(`txmq broker listening on ${broker.endpoint}${options.config.tls ? ' (TLS)' : ''}`);
    if (broker.httpPort !== undefined) io.out(`txmq console on ${broker.httpScheme ?? 'http'}://${urlHost(broker.host)}:${broker.httpPort}/`);
    io.out(`txmq broker stopping (${await stopSignal}): finishing in-flight calls`);
    await broker.close();
    return 0;
  } finally {
    process.off('SIGTERM', stop).off('SIGINT', stop);
  }
}

/** The flag that sets the port an ADDRESS_IN_USE `error` names (the gRPC port unless it says otherwise). */
export function portFlagOf(error: BrokerError): '--port' | '--http-port' {
  return error instanceof AddressInUseError && error.surface === 'http' ? '--http-port' : '--port';
}

async function parseServeOptions(argv: string[]): Promise<ServeOptions | 'help'> {
  const { values, positionals } = parseCommandLine({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8081' },
      'http-port': { type: 'string' },
      'data-dir': { type: 'string', default: './.txmq-data' },
      memory: { type: 'boolean', default: false },
      config: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals[0] === 'tx') throw new ConfigError('"tx" must come first, with its own options after it: txmq-broker tx list --endpoint HOST:PORT');
  if (positionals[0] === 'admin') throw new ConfigError('"admin" must come first, with its own options after it: txmq-broker admin topics --endpoint HOST:PORT');
  if (positionals.length > 0) throw new ConfigError(`unknown command ${JSON.stringify(positionals[0])}`);
  const logLevel = values['log-level'] as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const port = portOption('--port', values.port);
  const httpPort = values['http-port'] === undefined ? undefined : portOption('--http-port', values['http-port']);
  if (httpPort !== undefined && httpPort !== 0 && httpPort === port) throw new ConfigError(`--http-port must differ from --port (both ${port})`);
  const loaded = values.config ? await loadConfigFile(values.config) : resolveConfig({});
  const config = withTlsFlags(loaded, values['tls-cert'], values['tls-key']);
  return { host: values.host, port, ...(httpPort !== undefined && { httpPort }), dataDir: values['data-dir'], memory: values.memory, config, logLevel };
}

function portOption(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`${flag} must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

/** `host` as the host of a URL (an IPv6 address in brackets). */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** `--tls-cert` and `--tls-key` (both or neither; paths from the working directory) replace the config's `tls`. */
function withTlsFlags(config: ResolvedConfig, certFile: string | undefined, keyFile: string | undefined): ResolvedConfig {
  if (certFile === undefined && keyFile === undefined) return config;
  if (certFile === undefined || keyFile === undefined) throw new ConfigError(`--tls-cert and --tls-key go together: ${certFile === undefined ? '--tls-cert' : '--tls-key'} is missing`);
  return { ...config, tls: resolveTls({ certFile, keyFile }) };
}

/**
 * Sends grpc-js's own log lines (plain text on stderr by default) to the broker's structured log,
 * at debug level: what matters to an operator (a port in use, say) the broker reports itself.
 */
function routeGrpcLogs(log: Logger): void {
  const write = (...args: unknown[]) => log.debug({ component: 'grpc-js' }, args.map(String).join(' '));
  setLogger({ error: write, info: write, debug: write });
}
