import { InvalidRequestError } from '../errors.js';
import { checkGroupName, checkTopicName } from '../rules/names.js';

/** Throws ILLEGAL_TOPIC unless `name` is a legal, non-system RocketMQ topic name. */
export function assertTopicName(name: string): void {
  const violation = checkTopicName(name);
  if (violation) throw new InvalidRequestError(violation.code, `illegal topic name ${JSON.stringify(name)}: ${violation.problem}`);
}

/** Throws ILLEGAL_CONSUMER_GROUP unless `name` is a legal consumer-group name. */
export function assertGroupName(name: string): void {
  const violation = checkGroupName(name);
  if (violation) throw new InvalidRequestError(violation.code, `illegal consumer group ${JSON.stringify(name)}: ${violation.problem}`);
}
