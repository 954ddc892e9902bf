import { STATUS_CODES } from '../status-codes.js';
import type { MessageTypeNumber } from '../wire/enums.js';

/** RocketMQ v2 in-band status codes (`apache.rocketmq.v2.Code`). */
export const Code = STATUS_CODES;
/** A numeric RocketMQ status. */
export type Code = (typeof STATUS_CODES)[keyof typeof STATUS_CODES];

/**
 * `apache.rocketmq.v2.MessageType` (numbers from wire/), under a name that keeps it apart from the
 * broker's own message kinds.
 */
export { MessageType as WireMessageType } from '../wire/enums.js';
/** One `apache.rocketmq.v2.MessageType` number. */
export type WireMessageType = MessageTypeNumber;
