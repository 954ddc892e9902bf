/**
 * Checks of what `createBrokerAdmin`'s methods send, made before sending: protobuf would turn a
 * NaN time into 0, cut 2.5 to 2 and wrap -1 to 4294967295, and the broker would act on that.
 * Each throws {@link ConfigError} naming the argument.
 */
import { ConfigError } from '../errors.js';
import { describe } from '../rules/names.js';
import type { AdminPageOptions, BodyOptions, GroupUpdate, TopicUpdate } from './admin-types.js';

const WHAT = 'broker admin';

const UINT32_MAX = 0xffff_ffff;

function bad(name: string, problem: string, value: unknown): ConfigError {
  return ConfigError.forOption(WHAT, name, `${problem}, got ${value instanceof Date ? `Date(${value.getTime()})` : describe(value)}`);
}

function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw bad(name, `must be an integer from ${min} to ${max}`, value);
}

/** A time the broker can take: a valid `Date` at or after the epoch. Returns it in ms. */
export function timeMs(name: string, value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : NaN;
  if (!Number.isFinite(ms) || ms < 0) throw bad(name, 'must be a valid Date at or after 1970-01-01T00:00:00Z', value);
  return ms;
}

export function checkPageOptions(options: AdminPageOptions): void {
  checkInteger('pageSize', options.pageSize, 1, 1000);
  if (options.pageToken !== undefined && typeof options.pageToken !== 'string') throw bad('pageToken', 'must be a string', options.pageToken);
}

export function checkBodyOptions(options: BodyOptions): void {
  checkInteger('previewBytes', options.previewBytes, 1, UINT32_MAX);
  if (options.fullBody !== undefined && typeof options.fullBody !== 'boolean') throw bad('fullBody', 'must be a boolean', options.fullBody);
}

export function checkTopicUpdate(settings: TopicUpdate): void {
  checkInteger('queues', settings.queues, 1, UINT32_MAX);
}

export function checkGroupUpdate(settings: GroupUpdate): void {
  checkInteger('maxDeliveryAttempts', settings.maxDeliveryAttempts, 1, UINT32_MAX);
  checkInteger('retryBackoff.initialMs', settings.retryBackoff?.initialMs, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('retryBackoff.maxMs', settings.retryBackoff?.maxMs, 0, Number.MAX_SAFE_INTEGER);
  const multiplier = settings.retryBackoff?.multiplier;
  if (multiplier !== undefined && !(typeof multiplier === 'number' && Number.isFinite(multiplier) && multiplier > 0)) {
    throw bad('retryBackoff.multiplier', 'must be a finite number greater than 0', multiplier);
  }
}
