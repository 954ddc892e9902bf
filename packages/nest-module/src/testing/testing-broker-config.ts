import type { BrokerConfig, GroupConfig } from '@txmq/broker';

/** Redelivery fast enough for tests that make a handler fail. */
export const TESTING_RETRY_BACKOFF = { initialMs: 100, maxMs: 1000, multiplier: 2 } as const;

/**
 * The in-process broker's configuration: short invisibility and long polls (consumers stop
 * within about a second) and {@link TESTING_RETRY_BACKOFF} for `groups` and for every declared
 * group, under what the caller configured.
 */
export function testingBrokerConfig(config: BrokerConfig, groups: Iterable<string>): BrokerConfig {
  const merged: Record<string, GroupConfig> = {};
  for (const group of groups) merged[group] = { retryBackoff: TESTING_RETRY_BACKOFF };
  for (const [name, group] of Object.entries(config.groups ?? {})) {
    merged[name] = { ...group, retryBackoff: { ...TESTING_RETRY_BACKOFF, ...group.retryBackoff } };
  }
  return { minInvisibleMs: 100, pushLongPollingMs: 1000, ...config, groups: merged };
}
