// A push consumer's process is SIGKILLed while its handler holds a message. The broker sees the
// connection close; once the consumer has not come back within the reconnect grace (10 s by
// default) the message goes to another consumer of the group, instead of after its auto-renewed
// lease would have run out.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createProducer, createPushConsumer, type ReceivedMessage, type TxmqProducer } from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const CHILD = fileURLToPath(new URL('./support/children/hanging-push-consumer.js', import.meta.url));
/** The broker's default `reconnectGraceMs`. */
const RECONNECT_GRACE_MS = 10_000;
/** Room for a loaded machine: the release itself is checked every second and wakes waiting receives. */
const REDELIVERY_BOUND_MS = RECONNECT_GRACE_MS + 10_000;

let broker: BrokerProcess;
let producer: TxmqProducer;
const children: ChildProcess[] = [];
before(async () => {
  broker = await startBrokerProcess({ memory: true });
  producer = createProducer({ endpoints: broker.endpoint, logger: quietLogger });
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await producer.close();
  await broker.dispose();
});

/** Starts the child consumer; resolves with a function that waits for its event named `name`. */
function startChild(group: string, topic: string): (name: string) => Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [CHILD, broker.endpoint, group, topic], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const events: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line) as Record<string, unknown>));
  return (name) => eventually(`the child's "${name}" event`, () => events.find((e) => e.event === name), { timeoutMs: 30_000 });
}

test('a message held by a SIGKILLed push consumer goes to another consumer of its group within the reconnect grace', async (t) => {
  const group = uniqueName('crash');
  const topic = uniqueName('crash');
  const childEvent = startChild(group, topic);
  await childEvent('started');
  const sent = await producer.send({ topic, body: 'held when the process dies' });
  const inFlight = await childEvent('in-flight');
  assert.equal(inFlight.messageId, sent.messageId);

  const received: ReceivedMessage[] = [];
  const survivor = createPushConsumer({
    endpoints: broker.endpoint,
    group,
    subscriptions: { [topic]: '*' },
    logger: quietLogger,
    handler: async (message) => {
      received.push(message);
    },
  });
  t.after(() => survivor.close());
  await survivor.start();

  const child = children.at(-1)!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  const killedAt = Date.now();
  const again = await eventually('the redelivery to the surviving consumer', () => received.find((m) => m.messageId === sent.messageId), { timeoutMs: REDELIVERY_BOUND_MS });
  t.diagnostic(`redelivered ${Date.now() - killedAt} ms after the kill`);
  assert.equal(again.deliveryAttempt, 2);
  assert.equal(again.body.toString(), 'held when the process dies');
});
