import type { ClientLogger } from '@txmq/broker/client';

/** The broker clients' and relay's logger of a service: warnings and errors on stderr, tagged. */
export function serviceLogger(service: string): ClientLogger {
  return {
    info() {},
    warn: (...args: unknown[]) => console.warn(`${service}:`, ...args),
    error: (...args: unknown[]) => console.error(`${service}:`, ...args),
  };
}
