import type { BrokerError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import { isSuccess, refusalOf } from '../session/status.js';
import type { ReceiveMessageResponse, Status, WireMessage } from '../../wire/types.js';

/** The part of a grpc-js server-streaming call a receive reads. */
export interface ReceiveStream {
  on(event: 'data', listener: (frame: ReceiveMessageResponse) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  cancel(): void;
}

/**
 * Reads one ReceiveMessage stream from the broker at `endpoint`: a `status` frame, one frame per
 * message, a `delivery_timestamp` frame. Resolves with the messages when the status is OK or
 * MESSAGE_NOT_FOUND (then none), rejects with the refusal otherwise, or with `mapError(error)` when
 * the call fails before any message arrived. When `signal` aborts, or the call fails after the OK
 * status and some messages (they are invisible to the group now: dropping them would hold them
 * back for their invisible time), it resolves with what had arrived.
 */
export function readReceiveStream(
  stream: ReceiveStream,
  endpoint: string,
  signal: AbortSignal,
  mapError: (error: Error) => BrokerError,
): Promise<WireMessage[]> {
  return new Promise((resolve, reject) => {
    const messages: WireMessage[] = [];
    let status: Status | undefined;
    const onAbort = () => stream.cancel();
    const done = () => signal.removeEventListener('abort', onAbort);
    stream.on('data', (frame) => {
      if (frame.status) status = frame.status;
      else if (frame.message) messages.push(frame.message);
    });
    stream.on('error', (error) => {
      done();
      if (signal.aborted || (messages.length > 0 && isSuccess(status))) resolve(messages);
      else reject(mapError(error));
    });
    stream.on('end', () => {
      done();
      const refused = refusalOf(status, endpoint, [STATUS_CODES.MESSAGE_NOT_FOUND]);
      if (refused) reject(refused);
      else resolve(messages);
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
