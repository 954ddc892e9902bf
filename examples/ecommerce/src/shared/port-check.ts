import { createServer } from 'node:net';

/**
 * Fails with EADDRINUSE when `port` on `host` is taken, before a service opens its database and
 * starts consuming (Nest binds the port only after starting every module). 0 always passes.
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen({ port, host, exclusive: true }, resolve));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
