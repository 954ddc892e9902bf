import { STATUS_CODES } from '../../status-codes.js';
import { refusal, succeeded } from './status-check.js';
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
 * the call fails. When `signal` aborts the call is cancelled and resolves with what had arrived.
 */
export function readReceiveStream(
  stream: ReceiveStream,
  endpoint: string,
  signal: AbortSignal,
  mapError: (error: Error) => unknown,
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
      if (signal.aborted) resolve(messages);
      else reject(mapError(error));
    });
    stream.on('end', () => {
      done();
      if (succeeded(status) || status?.code === STATUS_CODES.MESSAGE_NOT_FOUND) resolve(messages);
      else reject(refusal(status!, endpoint));
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
