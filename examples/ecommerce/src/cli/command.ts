import { parseArgs } from 'node:util';
import { dataDirSetting, isTrue, nonEmpty, portSetting, type Environment } from '../shared/environment.js';
import { DEFAULT_BROKER_PORT, DEFAULT_PORTS, isServiceName, PORT_VARIABLES, SERVICES } from '../shared/services.js';
import { serviceSettings, type ServiceSettings } from '../shared/settings.js';
import type { SystemOptions } from '../supervisor/system-options.js';
import { UsageError } from '../shared/usage-error.js';

/** What a command line asks for. */
export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'service'; readonly settings: ServiceSettings }
  | { readonly kind: 'all'; readonly options: SystemOptions }
  | { readonly kind: 'demo'; readonly users: number; readonly withGifts: boolean };

/** Reads the command line (`[all|demo|SERVICE] [options]`) and the environment. */
export function parseCommand(argv: readonly string[], env: Environment): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'with-gifts': { type: 'boolean' },
        'free-ports': { type: 'boolean' },
        users: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length > 1) throw new UsageError(`one command at a time, got ${positionals.join(' ')}`);
  const name = positionals[0] ?? 'all';
  const refuse = (option: string, where: string) => {
    if (values[option as keyof typeof values] !== undefined) throw new UsageError(`--${option} is an option of ${where}`);
  };
  const withGifts = values['with-gifts'] ?? isTrue(env.TXMQ_WITH_GIFTS);
  if (isServiceName(name)) {
    for (const option of ['with-gifts', 'free-ports', 'users']) refuse(option, 'all or demo');
    return { kind: 'service', settings: serviceSettings(name, { host: values.host, port: values.port, dataDir: values['data-dir'] }, env) };
  }
  if (name === 'demo') {
    for (const option of ['host', 'port', 'data-dir', 'free-ports']) refuse(option, 'all or a service');
    return { kind: 'demo', users: userCount(values.users), withGifts };
  }
  if (name !== 'all') throw new UsageError(`unknown command ${JSON.stringify(name)} (all, demo, ${SERVICES.join(', ')})`);
  refuse('port', 'a service (for all, use ACCOUNT_PORT, POINTS_PORT, ... or --free-ports)');
  refuse('users', 'demo');
  const freePorts = values['free-ports'] ?? false;
  const port = (variable: string, fallback: number) => (freePorts ? 0 : portSetting(undefined, env, variable, fallback));
  return {
    kind: 'all',
    options: {
      host: values.host ?? (nonEmpty(env.TXMQ_HOST) || '127.0.0.1'),
      dataDir: dataDirSetting(values['data-dir'], env),
      withGifts,
      ports: {
        broker: port('BROKER_PORT', DEFAULT_BROKER_PORT),
        account: port(PORT_VARIABLES.account, DEFAULT_PORTS.account),
        points: port(PORT_VARIABLES.points, DEFAULT_PORTS.points),
        coupons: port(PORT_VARIABLES.coupons, DEFAULT_PORTS.coupons),
        gifts: port(PORT_VARIABLES.gifts, DEFAULT_PORTS.gifts),
      },
      externalBroker: nonEmpty(env.TXMQ_ENDPOINTS),
      env,
      output: 'prefixed',
    },
  };
}

function userCount(value: string | undefined): number {
  if (value === undefined) return 20;
  const users = Number(value);
  if (!/^\d+$/.test(value) || users < 1 || users > 100_000) throw new UsageError(`--users must be a whole number from 1 to 100000, got ${JSON.stringify(value)}`);
  return users;
}
