import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountModule } from '../account/account.module.js';
import { CouponsModule } from '../coupons/coupons.module.js';
import { GiftsModule } from '../gifts/gifts.module.js';
import { PointsModule } from '../points/points.module.js';
import { DataDirInUseError } from './data-dir-lock.js';
import { openDatabase, type ServiceDatabase } from './database.js';
import { assertPortFree } from './port-check.js';
import { announceReady, urlOf } from './ready.js';
import type { ServiceName } from './services.js';
import type { ServiceSettings } from './settings.js';
import { listenForStop } from './stop-signal.js';

const MODULES: Readonly<Record<ServiceName, { register(settings: ServiceSettings, database: ServiceDatabase): DynamicModule }>> = {
  account: AccountModule,
  points: PointsModule,
  coupons: CouponsModule,
  gifts: GiftsModule,
};

/** How long a service may take to stop before it gives up waiting and exits anyway. */
const SHUTDOWN_BOUND_MS = 20_000;

/**
 * Runs one service until SIGTERM, SIGINT or the end of its supervisor: checks that its port is
 * free, opens its database (a PGlite folder is locked to this process), starts the Nest
 * application (which connects to the broker and starts consuming), prints `NAME ready at URL`,
 * and on the signal closes the application (consumers drain, the relay stops) and the database.
 *
 * @returns the exit code: 0 stopped cleanly, 1 could not start or stop.
 */
export async function runService(settings: ServiceSettings): Promise<number> {
  const { service } = settings;
  const stop = listenForStop();
  let database: ServiceDatabase | undefined;
  let app: INestApplication | undefined;
  let code = 0;
  try {
    await assertPortFree(settings.port, settings.host);
    database = await openDatabase(service, settings.database);
    app = await NestFactory.create(MODULES[service].register(settings, database), { logger: ['error', 'warn'], abortOnError: false });
    await app.listen(settings.port, settings.host);
    console.log(`${service}: data in ${database.description}, broker ${settings.endpoints}`);
    announceReady(service, urlOf(app.getHttpServer().address(), settings.host));
    stop.started();
    console.log(`${service} stopping (${await stop.stopped})`);
  } catch (error) {
    console.error(`${service}: could not start: ${startFailure(error, settings)}`);
    code = 1;
  }
  try {
    await bounded(closeAll(app, database), SHUTDOWN_BOUND_MS, `${service}: did not stop within ${SHUTDOWN_BOUND_MS} ms`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    code = 1;
  }
  stop.dispose();
  return code;
}

async function closeAll(app: INestApplication | undefined, database: ServiceDatabase | undefined): Promise<void> {
  try {
    await app?.close();
  } finally {
    await database?.close();
  }
}

function bounded(work: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function startFailure(error: unknown, settings: ServiceSettings): string {
  if (error instanceof DataDirInUseError) return error.message;
  if ((error as { code?: unknown }).code === 'EADDRINUSE') {
    return `port ${settings.port} on ${settings.host} is in use (is the example running already?); choose another with --port`;
  }
  // txmq's errors (BrokerUnreachableError...) say what is wrong; a stack would only hide it.
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string') return `${error.name}: ${error.message}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
