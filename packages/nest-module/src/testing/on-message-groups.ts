import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { onMessageOptions } from '../consumers/on-message.js';

/**
 * The consumer groups of the application's `@OnMessage` methods, read from the provider classes
 * (so it works before any provider is instantiated): `useClass` and plain class providers, and
 * `useValue` ones by their value's class. A `useFactory` provider is skipped: its class is known
 * only once the factory ran, after the broker started (its groups keep the broker's backoff
 * unless `broker.groups` declares them).
 */
export function onMessageGroups(discovery: DiscoveryService, scanner: MetadataScanner): Set<string> {
  const groups = new Set<string>();
  for (const wrapper of discovery.getProviders()) {
    const { metatype, inject, instance } = wrapper as { metatype: unknown; inject: unknown; instance: unknown };
    const prototype: unknown =
      typeof metatype === 'function' && (inject === undefined || inject === null)
        ? (metatype as { prototype: unknown }).prototype
        : instance !== null && typeof instance === 'object'
          ? Object.getPrototypeOf(instance)
          : undefined;
    if (prototype === null || typeof prototype !== 'object') continue;
    for (const method of scanner.getAllMethodNames(prototype)) {
      const options = onMessageOptions((prototype as Record<string, unknown>)[method]);
      if (options !== undefined) groups.add(options.group);
    }
  }
  return groups;
}
