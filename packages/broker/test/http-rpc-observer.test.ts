import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { pino } from 'pino';
import { messagingService } from '../src/protocol/messaging-service.js';
import { messagingClient, unaryCall } from './grpc-client.js';
import { memoryCore } from './helpers.js';

test('an RPC observer (the metrics) that throws neither fails nor holds up the call, and is logged', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
  const core = memoryCore();
  const shutdown = new AbortController();
  const server = new Server();
  let port = 0;
  const served = messagingService({
    core, log, shutdown: shutdown.signal, listenAddress: () => ({ host: '127.0.0.1', port }),
    onRpc: () => {
      throw new Error('observer broke');
    },
  });
  server.addService(served.definition, served.implementation);
  port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  const client = messagingClient(`127.0.0.1:${port}`);
  try {
    const answer = await unaryCall<{ status: { code: number } }>(client, 'Heartbeat', {});
    assert.equal(answer.status.code, 20000);
    assert.equal(lines.length, 1, lines.join(''));
    const line = JSON.parse(lines[0]!);
    assert.equal(line.msg, 'the RPC observer failed');
    assert.equal(line.rpc, 'Heartbeat');
  } finally {
    client.close();
    shutdown.abort();
    server.forceShutdown();
    await core.close();
  }
});
