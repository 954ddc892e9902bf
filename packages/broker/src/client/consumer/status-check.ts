import { BrokerRefusedError } from '../../errors.js';
import { STATUS_CODES, statusName } from '../../status-codes.js';
import type { Status } from './wire-shapes.js';

/** Whether an in-band status says the call (or the entry) succeeded; an absent status does. */
export function succeeded(status: Status | null | undefined): boolean {
  return status?.code === undefined || status.code === STATUS_CODES.OK;
}

/** The error of a refusing in-band `status` of `what` (e.g. `the ack of message M`), sent by the broker at `endpoint`. */
export function refusal(status: Status, endpoint: string, what = 'the request'): BrokerRefusedError {
  const code = status.code ?? 0;
  const name = statusName(code);
  return new BrokerRefusedError(code, `the broker at ${endpoint} refused ${what} with ${name ? `${code} ${name}` : String(code)}: ${status.message ?? ''}`);
}
