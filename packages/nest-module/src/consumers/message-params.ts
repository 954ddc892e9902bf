import type { ReceivedMessage } from '@txmq/broker/client';
import { decodeBody } from '@txmq/outbox';
import { NonRetryableError } from '../errors.js';
import type { TxmqContext } from '../txmq-context.js';

/**
 * Where `@Payload()` and `@Ctx()` of `@nestjs/microservices` record a parameter (its
 * `PARAM_ARGS_METADATA`, the same key as Nest's route arguments), and the types they record
 * (its `RpcParamtype`). Neither is exported from the package root, so they are repeated here;
 * test/on-message-params.test.ts checks them against what the decorators write.
 */
export const PARAM_ARGS_METADATA = '__routeArguments__';
export const PAYLOAD_PARAM = 3;
export const CONTEXT_PARAM = 6;

/**
 * The params factory of `@OnMessage` handlers, which are called with `(message, context)`:
 * `@Payload()` is the decoded body (`decodeBody` of `@txmq/outbox`: JSON parsed, text a string,
 * other bytes a Buffer), `@Payload('field')` one property of it, `@Ctx()` the `TxmqContext`.
 */
export class MessageParamsFactory {
  exchangeKeyForValue(type: number, data: unknown, args: unknown[]): unknown {
    const [message, context] = args as [ReceivedMessage, TxmqContext];
    switch (type) {
      case PAYLOAD_PARAM: {
        const body = decode(message);
        if (typeof data !== 'string' || data === '') return body;
        return body !== null && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as Record<string, unknown>)[data] : undefined;
      }
      case CONTEXT_PARAM:
        return context;
      default:
        return undefined;
    }
  }
}

function decode(message: ReceivedMessage): unknown {
  try {
    return decodeBody(message);
  } catch (error) {
    // A body that does not parse will not parse on the next delivery either.
    throw new NonRetryableError(`the body of message ${message.messageId} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
