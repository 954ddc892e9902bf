import { fileURLToPath } from 'node:url';
import type { PeersMessage } from '../account/peer-urls.js';
import { httpUrl } from '../shared/ready.js';
import type { ServiceName } from '../shared/services.js';
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
 * Starts the broker (unless `externalBroker`), then every service at once; each binds its own
 * port (a free one for 0), and the account service is told over IPC where points and coupons
 * answer, each time one of the three is ready. When one cannot start, the others are stopped and
 * the promise rejects.
 */
export async function startSystem(options: SystemOptions, output: ProcessOutput): Promise<RunningSystem> {
  const names: ServiceName[] = options.withGifts ? ['account', 'points', 'coupons', 'gifts'] : ['account', 'points', 'coupons'];
  const services = new Map<ServiceName, ManagedProcess>();
  const broker = options.externalBroker === undefined ? new ManagedProcess(brokerSpec(options), output) : undefined;
  const stop = async () => {
    await Promise.all([...services.values()].map((p) => p.stop()));
    await broker?.stop();
  };
  try {
    const endpoints = options.externalBroker ?? (await broker!.start());
    const env = { ...options.env, TXMQ_ENDPOINTS: endpoints, ...peerDefaults(options) };
    const tellAccount = () => {
      const [account, points, coupons] = (['account', 'points', 'coupons'] as const).map((name) => services.get(name));
      if (account?.address === undefined || points?.address === undefined || coupons?.address === undefined) return;
      const message: PeersMessage = { type: 'peers', pointsUrl: points.address, couponsUrl: coupons.address };
      void account.send(message);
    };
    for (const name of names) services.set(name, new ManagedProcess(serviceSpec(name, options, env, tellAccount), output));
    await Promise.all([...services.values()].map((p) => p.start()));
    await services.get('account')!.send({ type: 'peers', pointsUrl: services.get('points')!.address!, couponsUrl: services.get('coupons')!.address! } satisfies PeersMessage);
    return { endpoints, broker, services, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `POINTS_URL` and `COUPONS_URL` when their ports are known up front (not 0). */
function peerDefaults(options: SystemOptions): Record<string, string> {
  const urls: Record<string, string> = {};
  if (options.ports.points !== 0) urls.POINTS_URL = httpUrl(options.host, options.ports.points);
  if (options.ports.coupons !== 0) urls.COUPONS_URL = httpUrl(options.host, options.ports.coupons);
  return urls;
}

function brokerSpec(options: SystemOptions): ProcessSpec {
  return {
    name: 'broker',
    port: options.ports.broker,
    args: (port) => [BROKER, '--host', options.host, '--port', String(port), '--data-dir', `${options.dataDir}/broker`, '--config', BROKER_CONFIG, '--log-level', 'warn'],
    env: { ...options.env },
    ready: /txmq broker listening on (\S+)/,
  };
}

function serviceSpec(name: ServiceName, options: SystemOptions, env: NodeJS.ProcessEnv, onReady: () => void): ProcessSpec {
  return {
    name,
    port: options.ports[name],
    args: (port) => [MAIN, name, '--host', options.host, '--port', String(port), '--data-dir', options.dataDir],
    env,
    ready: 'ipc',
    onReady,
  };
}
