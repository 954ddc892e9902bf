import { listenForStop } from '../shared/stop-signal.js';
import { prefixedOutput } from './process-output.js';
import { startSystem, type RunningSystem } from './system.js';
import type { SystemOptions } from './system-options.js';

/**
 * `all`: runs the broker and the services until SIGTERM or SIGINT (Ctrl-C), then stops the
 * services and the broker, in that order, and resolves to 0 (1 when the system could not start).
 */
export async function runSystem(options: SystemOptions): Promise<number> {
  const stop = listenForStop();
  try {
    let system: RunningSystem;
    try {
      system = await startSystem(options, prefixedOutput());
    } catch (error) {
      console.error(`txmq e-commerce example could not start: ${(error as Error).message}`);
      return 1;
    }
    stop.started();
    console.log(banner(system, options));
    console.log(`stopping (${await stop.stopped}): the services drain, then the broker`);
    await system.stop();
    console.log('stopped');
    return 0;
  } finally {
    stop.dispose();
  }
}

function banner(system: RunningSystem, options: SystemOptions): string {
  const rows: [string, string, string][] = [...system.services.values()].map((p) => [p.name, p.address!, `pid ${p.pid}`]);
  rows.sort((a, b) => (a[0] === 'account' ? -1 : b[0] === 'account' ? 1 : 0));
  rows.push(['broker', system.endpoints, system.broker ? `pid ${system.broker.pid}` : 'external']);
  const account = system.services.get('account')!.address!;
  return [
    '',
    `txmq e-commerce example ready: open ${account}/ (Ctrl-C stops everything)`,
    ...rows.map(([name, address, pid]) => `  ${name.padEnd(8)} ${address.padEnd(24)} ${pid}`),
    `  data     ${options.env.DATABASE_URL ? 'Postgres (DATABASE_URL)' : options.dataDir}`,
    '',
  ].join('\n');
}
