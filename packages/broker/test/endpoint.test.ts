import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTransactionAdmin } from '../src/client/admin-client.js';
import { parseEndpoint } from '../src/client/endpoint.js';
import { createProducer } from '../src/client/producer.js';
import { createPushConsumer } from '../src/client/push-consumer.js';
import { createSimpleConsumer } from '../src/client/simple-consumer.js';
import { ConfigError } from '../src/errors.js';

const MALFORMED = ['localhost', '127.0.0.1:abc', '127.0.0.1:', ':8081', 'http://127.0.0.1:8081', '127.0.0.1:70000', '127.0.0.1:8081;127.0.0.1:8082', 'a b:1', '0'];

test('a malformed endpoint is a ConfigError naming the option and the value, for every client', async () => {
  const clients: Array<[string, (endpoints: string) => unknown]> = [
    ['producer', (endpoints) => createProducer({ endpoints })],
    ['simple consumer', (endpoints) => createSimpleConsumer({ endpoints, group: 'g', subscriptions: { t: '*' } })],
    ['push consumer', (endpoints) => createPushConsumer({ endpoints, group: 'g', subscriptions: { t: '*' }, handler: async () => undefined })],
    ['transaction admin', (endpoints) => createTransactionAdmin({ endpoints })],
  ];
  for (const [client, create] of clients) {
    for (const endpoints of MALFORMED) {
      assert.throws(
        () => create(endpoints),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith(`invalid ${client} option endpoints: `) && e.message.includes(JSON.stringify(endpoints)),
        `${client}: ${endpoints}`,
      );
    }
  }
  assert.throws(() => createProducer({ endpoints: '[::1]:8081' }), /producer option endpoints: .*IPv6/);
  // The admin talks gRPC directly and can.
  await createTransactionAdmin({ endpoints: '[::1]:8081' }).close();
});

test('a well-formed endpoint is accepted; a bare port is a broker on this machine', async () => {
  for (const endpoints of ['127.0.0.1:8081', ' broker.internal:9876 ', 'my_broker:1', '8092']) {
    await createProducer({ endpoints }).close();
  }
  assert.equal(parseEndpoint('8092', 'endpoints'), '127.0.0.1:8092');
  assert.equal(parseEndpoint(' broker:9876 ', 'endpoints'), 'broker:9876');
  const admin = createTransactionAdmin({ endpoints: '8092' });
  assert.equal(admin.endpoint, '127.0.0.1:8092');
  await admin.close();
});
