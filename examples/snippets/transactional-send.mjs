import { Producer } from 'rocketmq-client-nodejs';

// Stands in for your database: the orders this service has written.
const orders = new Set();
const orderExists = async (id) => orders.has(id);

const logger = { debug() {}, info() {}, warn: console.warn, error: console.error, close() {} };
const producer = new Producer({
  endpoints: process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081',
  namespace: '',
  topic: 'points',
  logger,
  checker: {
    // Asked by the broker when the producer did not settle a half message in time.
    // 1 = COMMIT, 2 = ROLLBACK, 0 = still unknown (the broker asks again later).
    async check(message) {
      return (await orderExists(message.keys[0])) ? 1 : 2;
    },
  },
});
await producer.startup();
const transaction = producer.beginTransaction();
const receipt = await producer.send({ topic: 'points', keys: ['order-1'], body: Buffer.from('+10') }, transaction);
orders.add('order-1'); // the local write: in real code, your database transaction
await transaction.commit(); // or transaction.rollback() when the local write failed
console.log('committed', receipt.messageId);
await producer.shutdown();
