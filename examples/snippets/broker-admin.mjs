import { createBrokerAdmin, createProducer } from '@txmq/broker/client';

const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';

const producer = createProducer({ endpoints });
const sent = await producer.send({ topic: 'orders', keys: ['order-42'], body: JSON.stringify({ id: 42 }) });
await producer.close();

const admin = createBrokerAdmin({ endpoints });
const { items } = await admin.queryMessages({ topic: 'orders', key: 'order-42' });
for (const message of items) console.log(message.messageId, message.storedAt.toISOString(), message.body.toString());

const trace = await admin.traceMessage(sent.messageId);
for (const event of trace.events) console.log(event.at.toISOString(), event.type, event.clientId ?? '');

for (const group of (await admin.listGroups()).items) console.log(group.name, 'lag', group.lag, 'in flight', group.inFlight);
await admin.close();
