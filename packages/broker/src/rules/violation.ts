import type { BrokerErrorCode } from '../errors.js';

/**
 * Why a message or name breaks RocketMQ's rules: the offending `field` (`tag`, `keys[1]`,
 * `properties.UNIQ_KEY`...), the status the broker would refuse it with, and what is wrong.
 */
export interface RuleViolation {
  readonly field: string;
  readonly code: BrokerErrorCode;
  readonly problem: string;
}
