import { pino, type Logger } from 'pino';
import { LOG_REDACT } from './auth/redact.js';

/** Log levels the broker accepts. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * A structured JSON logger on stderr (stdout carries the `listening on` line). Fields that can
 * carry a credential (`authorization`, `secret`, `signature`...) are written as `[redacted]`.
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service: 'txmq-broker' }, redact: { paths: [...LOG_REDACT.paths], censor: LOG_REDACT.censor } }, pino.destination(2));
}
