import { NotFoundError } from '../../errors.js';
import { isDeadLetterTopic } from '../../rules/names.js';
import { groupOf } from '../consumer.js';
import { deadLetterGroup } from '../dead-letter.js';
import type { Registered } from '../registry.js';
import { autoGroup } from '../settings.js';
import type { GroupSettings } from '../types.js';
import type { AdminContext } from './context.js';

/**
 * Every group the broker knows of: declared, created by an operator or on first use, and those
 * that only left traces in the store (a consumption position, or retained dead letters) - such as a
 * group created on first use before a restart. The latter show the defaults of a group created on
 * first use (origin `auto`).
 */
export function knownGroups(ctx: AdminContext): Map<string, Registered<GroupSettings>> {
  const known = new Map<string, Registered<GroupSettings>>();
  for (const registered of ctx.registry.groups()) known.set(registered.settings.name, registered);
  const addInferred = (name: string) => {
    if (!known.has(name)) known.set(name, { settings: autoGroup(name), origin: 'auto' });
  };
  for (const position of ctx.deliveries.stats()) addInferred(groupOf(position.consumer));
  for (const topic of ctx.store.topics()) if (isDeadLetterTopic(topic)) addInferred(deadLetterGroup(topic));
  return known;
}

/** One known group (see {@link knownGroups}). @throws NotFoundError CONSUMER_GROUP_NOT_FOUND */
export function knownGroup(ctx: AdminContext, name: string): Registered<GroupSettings> {
  const registered = ctx.registry.findGroup(name) ?? knownGroups(ctx).get(name);
  if (!registered) throw new NotFoundError('CONSUMER_GROUP_NOT_FOUND', `consumer group ${JSON.stringify(name)} does not exist`);
  return registered;
}

/** Clients of `group` that are connected now (they said so in their Settings and are alive). */
export function consumersOnline(ctx: AdminContext, group: string): number {
  const now = ctx.now();
  return ctx.clients.all().filter((session) => session.group === group && ctx.clients.isAlive(session.id, now)).length;
}
