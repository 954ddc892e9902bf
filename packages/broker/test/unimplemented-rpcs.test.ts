import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { IMPLEMENTED_RPCS } from '../src/protocol/messaging-service.js';
import { loadMessagingService } from '../src/protocol/proto.js';
import { startBroker, type RunningBroker } from '../src/server.js';
import { messagingClient, unaryCall } from './grpc-client.js';
import { silentLog } from './helpers.js';

const service = loadMessagingService();
/** The RPCs of `apache.rocketmq.v2.MessagingService` txmq does not serve (RocketMQ 5 clients pop instead). */
const UNIMPLEMENTED = Object.keys(service).filter((rpc) => !IMPLEMENTED_RPCS.includes(rpc));
/** Far longer than an answer may take: a broker that never answers makes the call wait this long. */
const CLIENT_DEADLINE_MS = 30_000;
/** "At once", with room for a loaded machine; still far from the deadline. */
const ANSWER_WITHIN_MS = 5000;

let broker: RunningBroker;
let wellFormed: Client;
let malformed: Client;
before(async () => {
  broker = await startBroker({ port: 0, memory: true, logger: silentLog });
  wellFormed = messagingClient(broker.endpoint);
  // Requests that are not protobuf at all: an unterminated varint.
  malformed = messagingClient(broker.endpoint, Object.fromEntries(Object.entries(service).map(([name, method]) => [name, { ...method, requestSerialize: () => Buffer.from([0xff, 0xff, 0xff]) }])));
});
after(async () => {
  wellFormed?.close();
  malformed?.close();
  await broker?.close();
});

/** Calls `rpc` (unary or server-streaming) and resolves to how it ended and how long that took. */
function call(client: Client, rpc: string, request: object): Promise<{ code: number; details: string; ms: number }> {
  const method = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[rpc]!;
  const streaming = service[rpc]!.responseStream;
  const started = Date.now();
  const options = { deadline: Date.now() + CLIENT_DEADLINE_MS };
  return new Promise((resolve) => {
    const done = (error: ServiceError | null) => resolve({ code: error?.code ?? status.OK, details: error?.details ?? '', ms: Date.now() - started });
    if (streaming) {
      const stream = method.call(client, request, new Metadata(), options) as NodeJS.EventEmitter;
      stream.on('data', () => undefined);
      stream.on('error', done);
      stream.on('end', () => done(null));
    } else {
      method.call(client, request, new Metadata(), options, (error: ServiceError | null) => done(error));
    }
  });
}

for (const rpc of UNIMPLEMENTED) {
  test(`${rpc} answers UNIMPLEMENTED at once, to an empty and to a malformed request`, async () => {
    for (const [kind, client, request] of [
      ['empty', () => wellFormed, {}],
      ['filled', () => wellFormed, { group: { name: 'g' }, messageQueue: { topic: { name: 't' }, id: 0 }, offset: '1', batchSize: 1 }],
      ['malformed', () => malformed, {}],
    ] as const) {
      const answer = await call(client(), rpc, request);
      assert.equal(answer.code, status.UNIMPLEMENTED, `${kind} request: got ${status[answer.code]} ${answer.details}`);
      assert.ok(answer.ms < ANSWER_WITHIN_MS, `${kind} request answered after ${answer.ms} ms`);
      assert.match(answer.details, new RegExp(`${rpc} is not implemented by txmq`));
    }
  });
}

test('the unimplemented RPCs are the service definition minus the handlers: the pull and offset RPCs among them', () => {
  for (const rpc of ['PullMessage', 'UpdateOffset', 'GetOffset', 'QueryOffset']) assert.ok(UNIMPLEMENTED.includes(rpc), rpc);
  for (const rpc of IMPLEMENTED_RPCS) assert.ok(service[rpc], `${rpc} is in the service definition`);
});

test('an implemented RPC still serves after the unimplemented ones were called', async () => {
  const answer = await unaryCall<{ status?: { code: number } }>(wellFormed, 'QueryRoute', { topic: { name: 't' } });
  assert.equal(answer.status?.code, 20000);
});
