import { fileURLToPath } from 'node:url';
import { httpUrl } from '../shared/ready.js';
import type { ServiceName } from '../shared/services.js';
import { freePort } from './free-port.js';
import { ManagedProcess, type ProcessSpec } from './managed-process.js';
import type { ProcessOutput } from './process-output.js';
import type { SystemOptions } from './system-options.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const BROKER = fileURLToPath(new URL('./broker-process.js', import.meta.url));
/** The broker's settings: a short long poll, so that a consumer service stops within about 2 s. */
const BROKER_CONFIG = fileURLToPath(new URL('../../broker.json', import.meta.url));

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
 * Starts the broker (unless `externalBroker`) and the services, all at once: the ports are fixed
 * first (free ones for 0), so each process is told where the others are, and a service that is
 * up before the broker waits for it. When one cannot start, the others are stopped and the
 * promise rejects.
 */
export async function startSystem(options: SystemOptions, output: ProcessOutput): Promise<RunningSystem> {
  const port = async (wanted: number) => (wanted === 0 ? freePort(options.host) : wanted);
  const names: ServiceName[] = options.withGifts ? ['account', 'points', 'coupons', 'gifts'] : ['account', 'points', 'coupons'];
  const ports = new Map<ServiceName, number>();
  for (const name of names) ports.set(name, await port(options.ports[name]));
  const url = (name: ServiceName) => httpUrl(options.host, ports.get(name)!);

  let broker: ManagedProcess | undefined;
  let endpoints = options.externalBroker;
  if (endpoints === undefined) {
    const brokerPort = await port(options.ports.broker);
    broker = new ManagedProcess(brokerSpec(options, brokerPort), output);
    endpoints = `${options.host}:${brokerPort}`;
  }
  const env = { ...options.env, TXMQ_ENDPOINTS: endpoints, POINTS_URL: url('points'), COUPONS_URL: url('coupons') };
  const services = new Map(names.map((name) => [name, new ManagedProcess(serviceSpec(name, options, ports.get(name)!, env), output)]));
  const stop = async () => {
    await Promise.all([...services.values()].map((p) => p.stop()));
    await broker?.stop();
  };
  try {
    await Promise.all([broker?.start(), ...[...services.values()].map((p) => p.start())]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints, broker, services, stop };
}

function brokerSpec(options: SystemOptions, port: number): ProcessSpec {
  return {
    name: 'broker',
    args: [BROKER, '--host', options.host, '--port', String(port), '--data-dir', `${options.dataDir}/broker`, '--config', BROKER_CONFIG, '--log-level', 'warn'],
    env: { ...options.env },
    ready: /txmq broker listening on (\S+)/,
  };
}

function serviceSpec(name: ServiceName, options: SystemOptions, port: number, env: NodeJS.ProcessEnv): ProcessSpec {
  return {
    name,
    args: [MAIN, name, '--host', options.host, '--port', String(port), '--data-dir', options.dataDir],
    env,
    ready: 'ipc',
  };
}
