import { format } from 'node:util';
import type { ClientLogger } from '@txmq/broker/client';

/** A line said again within this long is not printed again. */
const REPEAT_AFTER_MS = 5000;

/**
 * The broker clients' and relay's logger of a service: warnings and errors on stderr, one line
 * each (an error shows its name and message, not its stack), and a line repeated within 5 s
 * (a relay retrying while the broker restarts) printed once.
 */
export function serviceLogger(service: string): ClientLogger {
  const printed = new Map<string, number>();
  const print = (args: unknown[]) => {
    const line = `${service}: ${format(...args.map(brief))}`;
    const now = Date.now();
    if (now - (printed.get(line) ?? -Infinity) < REPEAT_AFTER_MS) return;
    printed.set(line, now);
    if (printed.size > 100) printed.delete(printed.keys().next().value!);
    console.error(line);
  };
  return { info() {}, warn: (...args: unknown[]) => print(args), error: (...args: unknown[]) => print(args) };
}

function brief(value: unknown): unknown {
  return value instanceof Error ? `${value.name}: ${value.message}` : value;
}
