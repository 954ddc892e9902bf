import type { WireMessageType, WirePageRequest } from '../client/admin-proto.js';
import type { TopicMessageType } from '../core/types.js';
import type { PageRequest } from '../core/views/index.js';
import { invalidArgument } from './unary.js';

/** The largest page a listing serves. */
export const MAX_PAGE_SIZE = 1000;

/** `value` trimmed; INVALID_ARGUMENT naming `field` when it is missing or blank. */
export function required(value: string | undefined, field: string): string {
  const trimmed = value?.trim();
  if (!trimmed) throw invalidArgument(`${field} is required`);
  return trimmed;
}

/** The backend's page request of a paged wire request (`page_size` 0 = the backend's default). */
export function pageOf(request: WirePageRequest): PageRequest {
  const size = request.pageSize ?? 0;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) throw invalidArgument(`page_size must be 0 (the default) to ${MAX_PAGE_SIZE}, got ${size}`);
  return { ...(size > 0 && { pageSize: size }), ...(request.pageToken && { pageToken: request.pageToken }) };
}

const MESSAGE_TYPES: readonly TopicMessageType[] = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'MIXED'];

/** A wire message type as the core's; undefined for UNSPECIFIED (or absent). */
export function messageTypeOf(wire: WireMessageType | number | undefined): TopicMessageType | undefined {
  if (wire === undefined || wire === 'MESSAGE_TYPE_UNSPECIFIED' || wire === 0) return undefined;
  const type = typeof wire === 'number' ? MESSAGE_TYPES[wire - 1] : MESSAGE_TYPES.find((t) => t === wire);
  if (!type) throw invalidArgument(`message_type ${String(wire)} is not one of ${MESSAGE_TYPES.join(', ')}`);
  return type;
}

/** A time in ms since the epoch from the wire; INVALID_ARGUMENT when it is not a whole non-negative number. */
export function timeOf(value: number | undefined, field: string): number {
  if (value === undefined || !Number.isSafeInteger(value) || value < 0) throw invalidArgument(`${field} must be a time in ms since the epoch, got ${String(value)}`);
  return value;
}
