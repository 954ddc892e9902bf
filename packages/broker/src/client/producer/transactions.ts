import { TransactionResolution, TransactionSource } from '../../wire/enums.js';
import type { EndTransactionRequest, Resource, StatusResponse, TelemetryCommand } from '../../wire/types.js';
import { toDelivery } from '../consumer/received-message.js';
import type { ClientSession } from '../session/session.js';
import type { TransactionChecker } from '../types.js';

/** What identifies a half message to EndTransaction. */
export interface HalfMessageRef {
  readonly topic: Resource;
  readonly messageId: string;
  readonly transactionId: string;
}

/** Commits or rolls back a half message at the broker `endpoint` that holds it. */
export async function endTransaction(
  session: ClientSession, endpoint: string, half: HalfMessageRef, resolution: 'COMMIT' | 'ROLLBACK', source: 'CLIENT' | 'SERVER_CHECK',
): Promise<void> {
  const request: EndTransactionRequest = {
    topic: half.topic,
    messageId: half.messageId,
    transactionId: half.transactionId,
    resolution: TransactionResolution[resolution],
    source: source === 'CLIENT' ? TransactionSource.SOURCE_CLIENT : TransactionSource.SOURCE_SERVER_CHECK,
  };
  await session.call<StatusResponse>('EndTransaction', endpoint, request);
}

/**
 * Answers the broker's transaction check-backs (RecoverOrphanedTransactionCommand): asks
 * `checker` about the message and reports COMMIT or ROLLBACK with EndTransaction (source
 * SERVER_CHECK) to the endpoint that asked. UNKNOWN, a failing checker, an answer other than the
 * three (warned about), a message that cannot be read or no checker answer nothing: the broker
 * asks again later. Never throws, never rejects.
 */
export function checkBackHandler(session: () => ClientSession, checker: TransactionChecker | undefined): (command: TelemetryCommand, endpoint: string) => void {
  return (command, endpoint) => {
    const check = command.recoverOrphanedTransactionCommand;
    if (!check?.message) return;
    const logger = session().logger;
    const transactionId = check.transactionId ?? '';
    if (!checker) {
      logger.warn(`the broker at ${endpoint} asked about transaction ${transactionId}, but this producer has no checker`);
      return;
    }
    void (async () => {
      const { message, corrupted } = toDelivery(check.message!, endpoint);
      if (corrupted) {
        logger.warn(`the check-back of transaction ${transactionId} from ${endpoint} carries a corrupt body (digest or GZIP): not answered, the broker asks again`);
        return;
      }
      let answer: unknown;
      try {
        answer = await checker(message);
      } catch (error) {
        logger.warn(`the transaction checker failed for message ${message.messageId}:`, error);
        return;
      }
      if (answer === 'UNKNOWN') return;
      if (answer !== 'COMMIT' && answer !== 'ROLLBACK') {
        logger.warn(`the transaction checker answered ${String(answer)} for message ${message.messageId}, not COMMIT, ROLLBACK or UNKNOWN: read as UNKNOWN`);
        return;
      }
      const half: HalfMessageRef = {
        topic: check.message!.topic ?? session().resource(message.topic),
        messageId: message.messageId,
        transactionId,
      };
      await endTransaction(session(), endpoint, half, answer, 'SERVER_CHECK');
    })().catch((error: unknown) => {
      logger.warn(`could not answer the check-back of transaction ${transactionId} from ${endpoint}:`, error instanceof Error ? error.message : error);
    });
  };
}
