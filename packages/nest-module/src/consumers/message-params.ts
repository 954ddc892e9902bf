import type { ReceivedMessage } from '@txmq/broker/client';
import { decodeBody } from '@txmq/outbox';
import { NonRetryableError } from '../errors.js';
import type { TxmqContext } from '../txmq-context.js';
import { deliveryId } from './message-id.js';

/**
 * Where `@Payload()` and `@Ctx()` of `@nestjs/microservices` record a parameter (its
 * `PARAM_ARGS_METADATA`, the same key as Nest's route arguments), and the types they record
 * (its `RpcParamtype`). Neither is exported from the package root, so they are repeated here;
 * test/on-message-params.test.ts checks them against what the decorators write.
 */
export const PARAM_ARGS_METADATA = '__routeArguments__';
export const PAYLOAD_PARAM = 3;
export const CONTEXT_PARAM = 6;

/** A delivery's decoded body, or why it does not decode. */
type Decoded = { readonly body: unknown } | { readonly error: NonRetryableError };

/**
 * The params factory of `@OnMessage` handlers, which are called with `(message, context)`:
 * `@Payload()` is the decoded body (`decodeBody` of `@txmq/outbox`: JSON parsed, text a string,
 * other bytes a Buffer), `@Payload('field')` one property of it, `@Ctx()` the `TxmqContext`.
 * A body is decoded once per delivery, however many `@Payload` parameters read it.
 */
export class MessageParamsFactory {
  readonly #decoded = new WeakMap<ReceivedMessage, Decoded>();

  exchangeKeyForValue(type: number, data: unknown, args: unknown[]): unknown {
    const [message, context] = args as [ReceivedMessage, TxmqContext];
    switch (type) {
      case PAYLOAD_PARAM: {
        const body = this.#decode(message);
        if (typeof data !== 'string' || data === '') return body;
        return body !== null && typeof body === 'object' && !Buffer.isBuffer(body) ? (body as Record<string, unknown>)[data] : undefined;
      }
      case CONTEXT_PARAM:
        return context;
      default:
        return undefined;
    }
  }

  #decode(message: ReceivedMessage): unknown {
    let decoded = this.#decoded.get(message);
    if (decoded === undefined) {
      decoded = decode(message);
      this.#decoded.set(message, decoded);
    }
    if ('error' in decoded) throw decoded.error;
    return decoded.body;
  }
}

function decode(message: ReceivedMessage): Decoded {
  try {
    return { body: decodeBody(message) };
  } catch (error) {
    // A body that does not parse will not parse on the next delivery either.
    const reason = error instanceof Error ? error.message : String(error);
    return { error: new NonRetryableError(`the body of message ${deliveryId(message)} is not valid JSON: ${reason}`, { cause: error }) };
  }
}
