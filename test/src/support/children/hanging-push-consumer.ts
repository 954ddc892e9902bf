// Child process of client-push-consumer-crash.test.ts: a push consumer of group argv[3] on topic
// argv[4] at the broker argv[2] whose handler never returns. Prints `{"event":"started"}` once it
// consumes, then `{"event":"in-flight",...}` per message it holds; the parent SIGKILLs it.
import { createPushConsumer } from '@txmq/broker/client';

const [endpoints, group, topic] = process.argv.slice(2) as [string, string, string];
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const consumer = createPushConsumer({
  endpoints,
  group,
  subscriptions: { [topic]: '*' },
  logger: quiet,
  handler: (message) => {
    console.log(JSON.stringify({ event: 'in-flight', messageId: message.messageId, attempt: message.deliveryAttempt }));
    return new Promise<void>(() => undefined);
  },
});
await consumer.start();
console.log(JSON.stringify({ event: 'started' }));
