import { pino, type Logger } from 'pino';

/** Log levels the broker accepts. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A structured JSON logger on stderr (stdout carries the `listening on` line). */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'txmq-broker' } }, pino.destination(2));
}
