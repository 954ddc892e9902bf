/**
 * The `x-mq-date-time` header of RocketMQ 5 clients: UTC `yyyyMMdd'T'HHmmss'Z'`, e.g.
 * `20261121T021456Z`. It is what a client signs, so its exact string is the signed data.
 */
const FORMAT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `x-mq-date-time` for the instant `epochMs` (sub-second digits are dropped, as the clients do). */
export function formatRequestDateTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** The instant (epoch ms) an `x-mq-date-time` value names, or undefined if it is not one. */
export function parseRequestDateTime(value: string): number | undefined {
  const match = FORMAT.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls over out-of-range fields (month 13, second 61): only a real calendar time counts.
  return formatRequestDateTime(ms) === value ? ms : undefined;
}
