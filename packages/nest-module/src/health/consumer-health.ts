import type { ConsumerStats } from '../consumers/consumer-stats.js';

/** The consumer thresholds of a health check, with their defaults applied. */
export interface ConsumerLimits {
  readonly maxConsumerLagMs: number;
  readonly maxInFlightAgeMs: number;
  readonly lagWindowMs: number;
}

/**
 * Why the consumer groups make a check `degraded`, one sentence per finding (none: healthy).
 * A group's lag counts only while it is recent: the message that measured it arrived at most
 * `lagWindowMs` ago. Otherwise the group has been idle since, and its last lag says nothing
 * about now (from the consumer's side an idle group looks the same whether it has caught up or
 * the broker delivers nothing to it).
 */
export function consumerProblems(groups: readonly ConsumerStats[], limits: ConsumerLimits): string[] {
  const problems: string[] = [];
  for (const group of groups) {
    const { lagMs, lagAgeMs } = group;
    if (lagMs !== undefined && lagAgeMs !== undefined && lagAgeMs <= limits.lagWindowMs && lagMs >= limits.maxConsumerLagMs) {
      problems.push(`consumer group ${group.group} received a message ${lagMs} ms after it was due (maxConsumerLagMs = ${limits.maxConsumerLagMs})`);
    }
    if (group.inFlight > 0 && group.oldestInFlightMs >= limits.maxInFlightAgeMs) {
      problems.push(`consumer group ${group.group} has had a message in flight for ${group.oldestInFlightMs} ms (maxInFlightAgeMs = ${limits.maxInFlightAgeMs})`);
    }
  }
  return problems;
}
