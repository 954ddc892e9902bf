import { createServer } from 'node:net';

/**
 * A port nothing listens on now, on `host`. The process it is given to binds it a moment later;
 * choosing them up front lets every process start at once, each knowing where the others are.
 */
export async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`no free port on ${host}`);
  return address.port;
}
