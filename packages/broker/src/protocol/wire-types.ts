// The server's view of the apache.rocketmq.v2 shapes of wire/types.ts, where it differs from the
// shared one: the statuses it answers always carry a code and a message, and the messages it decodes
// have their `bytes` as Buffers (grpc-js hands them over so).
import type * as wire from '../wire/types.js';

/** The in-band status the broker answers: always a code (`Code`) and a message. */
export type Status = Required<wire.Status>;

/** A message as the broker decodes (SendMessage) and encodes (deliveries, check-backs) it. */
export interface WireMessage extends wire.WireMessage { body?: Buffer }

/** SendMessage as the broker decodes it. */
export interface SendMessageRequest extends wire.SendMessageRequest { messages?: WireMessage[] }
