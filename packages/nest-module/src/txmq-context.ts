import { BaseRpcContext } from '@nestjs/microservices';
import type { ReceivedMessage } from '@txmq/broker/client';
import { inboxMessageId } from '@txmq/outbox';

/**
 * The context of one delivered message: the second argument of an `@OnMessage` handler (there
 * `ExecutionContext.getType()` is `'txmq'`), and what `@Ctx()` gives an `@EventPattern` handler
 * served by `TxmqServer` (there handlers run as Nest `rpc` handlers and
 * `switchToRpc().getContext()` is this object).
 */
export class TxmqContext extends BaseRpcContext<[message: ReceivedMessage, group: string]> {
  /** The received message: id, topic, tag, keys, properties, raw body, delivery attempt. */
  getMessage(): ReceivedMessage {
    return this.args[0];
  }

  /** The topic the message was received from. */
  getTopic(): string {
    return this.args[0].topic;
  }

  /** The consumer group the message was delivered to. */
  getGroup(): string {
    return this.args[1];
  }

  /** The id the inbox deduplicates on: `txmq-message-id` when present, else the broker's id. */
  getMessageId(): string {
    return inboxMessageId(this.args[0]);
  }

  /** 1 on the first delivery, 2 on the first redelivery, and so on. */
  getDeliveryAttempt(): number {
    return this.args[0].deliveryAttempt;
  }
}
