import { NotFoundError } from '../../errors.js';
import type { Registered } from '../registry.js';
import { autoTopic } from '../settings.js';
import type { TopicSettings } from '../types.js';
import type { AdminContext } from './context.js';

/**
 * Every topic the broker knows of: declared, created by an operator or on first use, and every
 * topic the store holds messages of (such as a `%DLQ%<group>` topic the broker created by moving a
 * message there), the latter with the settings of a topic created on first use (origin `auto`).
 */
export function knownTopics(ctx: AdminContext): Map<string, Registered<TopicSettings>> {
  const known = new Map<string, Registered<TopicSettings>>();
  for (const registered of ctx.registry.topics()) known.set(registered.settings.name, registered);
  for (const topic of ctx.store.topics()) if (!known.has(topic)) known.set(topic, { settings: autoTopic(topic), origin: 'auto' });
  return known;
}

/** One known topic (see {@link knownTopics}), or undefined. */
export function findKnownTopic(ctx: AdminContext, name: string): Registered<TopicSettings> | undefined {
  return ctx.registry.findTopic(name) ?? (ctx.store.topics().includes(name) ? { settings: autoTopic(name), origin: 'auto' } : undefined);
}

/** One known topic. @throws NotFoundError TOPIC_NOT_FOUND */
export function knownTopic(ctx: AdminContext, name: string): Registered<TopicSettings> {
  const known = findKnownTopic(ctx, name);
  if (!known) throw new NotFoundError('TOPIC_NOT_FOUND', `topic ${JSON.stringify(name)} does not exist`);
  return known;
}
