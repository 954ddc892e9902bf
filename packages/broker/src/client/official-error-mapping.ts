import { ClientException } from 'rocketmq-client-nodejs';
import { BrokerRefusedError, InvalidRequestError, type BrokerError } from '../errors.js';
import { STATUS_CODES } from '../status-codes.js';
import { toBrokerError as mapTransportError, describeStatus } from './error-mapping.js';

/** `[request-id=..., response-code=40004] tag must not...`: how the official client words a status. */
const CLIENT_EXCEPTION_PREFIX = /^\[request-id=[^,\]]*, response-code=\d+\] /;
/** The official client checks a message's type against the topic's route itself, before sending. */
const TYPE_MISMATCH = /^Current message type not match with topic accept message types, topic=(.*), actualMessageType=(\d+), acceptMessageTypes=\[([\d,]*)\]/;
/** The official client checks the body against the limit the broker announced, before sending. */
const BODY_OVER_LIMIT = /^Message body size exceeds the threshold, max size=(\d+) bytes/;
/** The official client's wording of a refused recall (it does not go through its status checker). */
const RECALL_REFUSED = /^Failed to recall message: (.*) \(code: (\d+)\)$/;
/**
 * What the official client says (as a TypeError or a plain Error) when it refuses a message before
 * sending it (Message.js, PublishingMessage.js, Producer.js): the message itself is wrong, so no
 * retry helps. Any other local error may be a bug of the client and is not reported as permanent.
 */
const MESSAGE_REFUSED_LOCALLY = [
  /^Transactional message should not set /,
  /^priority must be greater than or equal to 0$/,
  /^priority is mutually exclusive with /,
  /^liteTopic is mutually exclusive with /,
  /^delay\/deliveryTimestamp is mutually exclusive with messageGroup$/,
  /^Messages to send have different (topics|types)=/,
  /^FIFO messages to send have message groups, /,
];
const MESSAGE_TYPES = ['UNSPECIFIED', 'NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'LITE', 'PRIORITY'];

/**
 * Like {@link mapTransportError}, for what the official `rocketmq-client-nodejs` throws as well
 * (its exceptions and the refusals it words itself). Only the consumers still built on it use this.
 */
export function toBrokerError(error: unknown, endpoint: string): BrokerError {
  return mapTransportError(error, endpoint, (e, original) => mapOfficial(e, endpoint, original));
}

function mapOfficial(e: Error, endpoint: string, original: unknown): BrokerError | undefined {
  if (e instanceof ClientException) {
    const detail = e.message.replace(CLIENT_EXCEPTION_PREFIX, '');
    return new BrokerRefusedError(e.code, `the broker at ${endpoint} refused the request with ${describeStatus(e.code)}: ${detail}`, { cause: original });
  }
  const mismatch = TYPE_MISMATCH.exec(e.message);
  if (mismatch) {
    const accepted = mismatch[3]!.split(',').filter(Boolean).map((n) => MESSAGE_TYPES[Number(n)] ?? n).join(' or ');
    return new BrokerRefusedError(
      STATUS_CODES.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE,
      `the broker at ${endpoint} serves topic ${mismatch[1]} for ${accepted} messages only, not ${MESSAGE_TYPES[Number(mismatch[2])] ?? mismatch[2]} ones`,
      { cause: original },
    );
  }
  const overLimit = BODY_OVER_LIMIT.exec(e.message);
  if (overLimit) {
    return new BrokerRefusedError(STATUS_CODES.MESSAGE_BODY_TOO_LARGE, `the broker at ${endpoint} accepts bodies of at most ${overLimit[1]} bytes`, { cause: original });
  }
  const recall = RECALL_REFUSED.exec(e.message);
  if (recall) {
    const status = Number(recall[2]);
    return new BrokerRefusedError(status, `the broker at ${endpoint} refused the recall with ${describeStatus(status)}: ${recall[1]}`, { cause: original });
  }
  if (MESSAGE_REFUSED_LOCALLY.some((pattern) => pattern.test(e.message))) {
    return new InvalidRequestError('BAD_REQUEST', `the RocketMQ client refused the message: ${e.message}`, { cause: original });
  }
  return undefined;
}
