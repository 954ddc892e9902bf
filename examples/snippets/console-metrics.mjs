import assert from 'node:assert/strict';
import { Producer } from 'rocketmq-client-nodejs';

// A broker started with `txmq-broker --http-port 8080` serves its console and metrics there.
const endpoints = process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081';
const consoleUrl = process.env.TXMQ_CONSOLE ?? 'http://127.0.0.1:8080';
const logger = { debug() {}, info() {}, warn: console.warn, error: console.error, close() {} };

const producer = new Producer({ endpoints, namespace: '', topic: 'invoices', logger });
await producer.startup();
const { messageId } = await producer.send({ topic: 'invoices', keys: ['invoice-7'], body: Buffer.from('{"total":42}') });
await producer.shutdown();

// Find the message by its key, then read its life so far.
const found = await (await fetch(`${consoleUrl}/api/messages?topic=invoices&key=invoice-7`)).json();
console.log('found', found.items.map((m) => `${m.messageId} stored ${m.storedAt}: ${m.body}`));
assert.ok(found.items.some((m) => m.messageId === messageId && m.body === '{"total":42}'));
const trace = await (await fetch(`${consoleUrl}/api/trace/${messageId}`)).json();
console.log('trace', trace.events.map((e) => `${e.at} ${e.type}`));
assert.ok(trace.events.some((e) => e.type === 'stored'));

// What Prometheus scrapes.
const metrics = await (await fetch(`${consoleUrl}/metrics`)).text();
const stored = metrics.split('\n').find((line) => line.startsWith('txmq_messages_in_total{topic="invoices"} '));
console.log(stored);
assert.ok(Number(stored?.split(' ')[1]) >= 1);
