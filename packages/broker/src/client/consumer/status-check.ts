import type { BrokerRefusedError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import { fromRocketMqStatus } from '../error-mapping.js';
import type { Status } from '../../wire/types.js';

/** Whether an in-band status says the call (or the entry) succeeded; an absent status does. */
export function succeeded(status: Status | null | undefined): boolean {
  return status?.code === undefined || status.code === STATUS_CODES.OK;
}

/** The error of a refusing in-band `status` of `what` (e.g. `the ack of message M`), sent by the broker at `endpoint`. */
export function refusal(status: Status, endpoint: string, what = 'the request'): BrokerRefusedError {
  return fromRocketMqStatus(status.code ?? 0, status.message ?? '', endpoint, what);
}
