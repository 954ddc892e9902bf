import type { BrokerConfig, GroupConfig } from '@txmq/broker';

/** Redelivery fast enough for tests that make a handler fail. */
export const TESTING_RETRY_BACKOFF = { initialMs: 100, maxMs: 1000, multiplier: 2 } as const;

/**
 * The in-process broker's configuration, under what the caller configured: `minInvisibleMs` 100
 * (consumers may ask for short invisibility), `pushLongPollingMs` 1000 (a push consumer's long
 * poll, which its stop waits for, ends within about a second), and {@link TESTING_RETRY_BACKOFF}
 * for `groups` and for every declared group. `groups` are the application's names: the broker
 * knows a group of a client with a namespace as `<namespace>%<group>`, so they get that prefix;
 * the names of `config` are the broker's, as in its `--config` file.
 */
export function testingBrokerConfig(config: BrokerConfig, groups: Iterable<string>, namespace?: string): BrokerConfig {
  const merged: Record<string, GroupConfig> = {};
  for (const group of groups) merged[namespace ? `${namespace}%${group}` : group] = { retryBackoff: TESTING_RETRY_BACKOFF };
  for (const [name, group] of Object.entries(config.groups ?? {})) {
    merged[name] = { ...group, retryBackoff: { ...TESTING_RETRY_BACKOFF, ...group.retryBackoff } };
  }
  return { minInvisibleMs: 100, pushLongPollingMs: 1000, ...config, groups: merged };
}
