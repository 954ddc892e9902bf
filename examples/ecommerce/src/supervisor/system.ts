import { fileURLToPath } from 'node:url';
import type { ServiceName } from '../shared/services.js';
import { ManagedProcess, type ProcessSpec } from './managed-process.js';
import type { ProcessOutput } from './process-output.js';
import type { SystemOptions } from './system-options.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const BROKER = fileURLToPath(new URL('./broker-process.js', import.meta.url));

/** The broker and the services, running. */
export interface RunningSystem {
  /** `host:port` of the broker the services use. */
  readonly endpoints: string;
  /** The started broker; undefined with an external one. */
  readonly broker: ManagedProcess | undefined;
  /** The services, by name (gifts only when asked for). */
  readonly services: ReadonlyMap<ServiceName, ManagedProcess>;
  /** Stops the services (they drain), then the broker. */
  stop(): Promise<void>;
}

/**
 * Starts the broker (unless `externalBroker`), then the consumer services, then the account
 * service (which is told where points and coupons answer). When one cannot start, the others
 * are stopped and the promise rejects.
 */
export async function startSystem(options: SystemOptions, output: ProcessOutput): Promise<RunningSystem> {
  const started: ManagedProcess[] = [];
  const start = async (spec: ProcessSpec) => {
    const managed = new ManagedProcess(spec, output);
    started.push(managed);
    await managed.start();
    return managed;
  };
  const stopAll = async () => {
    const broker = started.find((p) => p.name === 'broker');
    await Promise.all(started.filter((p) => p !== broker).map((p) => p.stop()));
    await broker?.stop();
  };
  try {
    const broker = options.externalBroker === undefined ? await start(brokerSpec(options)) : undefined;
    const endpoints = options.externalBroker ?? broker!.address!;
    const env = { ...options.env, TXMQ_ENDPOINTS: endpoints };
    const consumers: ServiceName[] = options.withGifts ? ['points', 'coupons', 'gifts'] : ['points', 'coupons'];
    const services = new Map<ServiceName, ManagedProcess>();
    for (const managed of await Promise.all(consumers.map((name) => start(serviceSpec(name, options, env))))) {
      services.set(managed.name as ServiceName, managed);
    }
    const accountEnv = { ...env, POINTS_URL: services.get('points')!.address!, COUPONS_URL: services.get('coupons')!.address! };
    services.set('account', await start(serviceSpec('account', options, accountEnv)));
    return { endpoints, broker, services, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function brokerSpec(options: SystemOptions): ProcessSpec {
  return {
    name: 'broker',
    args: (previous) => [
      BROKER,
      '--host',
      options.host,
      '--port',
      String(previous ? portOf(previous) : options.ports.broker),
      '--data-dir',
      `${options.dataDir}/broker`,
      '--log-level',
      'warn',
    ],
    env: { ...options.env },
    ready: /txmq broker listening on (\S+)/,
  };
}

function serviceSpec(name: ServiceName, options: SystemOptions, env: NodeJS.ProcessEnv): ProcessSpec {
  return {
    name,
    args: (previous) => [MAIN, name, '--host', options.host, '--port', String(previous ? portOf(previous) : options.ports[name]), '--data-dir', options.dataDir],
    env,
    ready: 'ipc',
  };
}

/** The port of `host:port` or `http://host:port`. */
function portOf(address: string): number {
  return Number(/:(\d+)\/?$/.exec(address)?.[1]);
}
