import type { BrokerRefusedError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import type { Status } from '../../wire/types.js';
import { fromRocketMqStatus } from '../error-mapping.js';

/** Statuses that mean success: OK and MULTIPLE_RESULTS (whose entries carry the details). */
const SUCCESS: ReadonlySet<number> = new Set([STATUS_CODES.OK, STATUS_CODES.MULTIPLE_RESULTS]);

/** How a status is judged besides OK. */
export interface StatusCheck {
  /**
   * Whether MULTIPLE_RESULTS counts as success (default true: the entries carry the details).
   * False where the status is itself one entry's, or is read to settle entries without their own.
   */
  readonly multipleResultsSucceed?: boolean;
}

/** Whether an in-band `status` reports success; an absent status does (as in every RocketMQ client). */
export function isSuccess(status: Status | undefined | null, alsoSuccess: readonly number[] = [], check: StatusCheck = {}): boolean {
  if (!status) return true;
  const code = status.code ?? 0;
  if (code === STATUS_CODES.MULTIPLE_RESULTS && check.multipleResultsSucceed === false) return false;
  return SUCCESS.has(code) || alsoSuccess.includes(code);
}

/**
 * The refusal an in-band `status` of the broker at `endpoint` reports, or undefined when it
 * reports success (see {@link isSuccess}). `CODE_UNSPECIFIED` (0) is a refusal too. Its `cause` is
 * the status as the broker sent it.
 */
export function refusalOf(
  status: Status | undefined | null, endpoint: string, alsoSuccess: readonly number[] = [], what?: string, check: StatusCheck = {},
): BrokerRefusedError | undefined {
  if (isSuccess(status, alsoSuccess, check)) return undefined;
  return fromRocketMqStatus(status!.code ?? 0, status!.message ?? '', endpoint, what, status);
}
