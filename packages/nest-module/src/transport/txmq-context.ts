import { BaseRpcContext } from '@nestjs/microservices';
import type { ReceivedMessage } from '@txmq/broker/client';

/**
 * The context `@Ctx()` gives an `@EventPattern` handler served by `TxmqServer`: the message as
 * the broker delivered it. Handlers run as Nest `rpc` handlers (`ExecutionContext.getType()` is
 * `'rpc'`; `switchToRpc().getContext()` is this object).
 */
export class TxmqContext extends BaseRpcContext<[message: ReceivedMessage]> {
  /** The received message: id, topic, tag, keys, properties, raw body, delivery attempt. */
  getMessage(): ReceivedMessage {
    return this.args[0];
  }

  /** The topic the message was received from (the handler's pattern). */
  getTopic(): string {
    return this.args[0].topic;
  }

  /** 1 on the first delivery, 2 on the first redelivery, and so on. */
  getDeliveryAttempt(): number {
    return this.args[0].deliveryAttempt;
  }
}
