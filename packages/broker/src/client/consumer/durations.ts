import type { Duration, Timestamp } from './wire-shapes.js';

/** Milliseconds of a protobuf Timestamp or Duration, or undefined when it is absent. */
export function toMillis(value: Timestamp | Duration | null | undefined): number | undefined {
  if (!value) return undefined;
  return Number(value.seconds ?? 0) * 1000 + Math.floor((value.nanos ?? 0) / 1e6);
}

/** A protobuf Duration (or Timestamp) of `ms` milliseconds. */
export function fromMillis(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}
