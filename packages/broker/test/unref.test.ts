import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

/** How long the child may take before it counts as held alive by the broker. */
const CHILD_BOUND_MS = 30_000;
// This file runs from packages/broker/dist/test/.
const SERVER = new URL('../src/server.js', import.meta.url).href;

// The child starts a broker, checks it accepts a connection, unrefs it and never closes it.
const SCRIPT = `
import { connect } from 'node:net';
const { startBroker } = await import(${JSON.stringify(SERVER)});
const broker = await startBroker({ port: 0, memory: true, logLevel: 'error' });
broker.unref();
await new Promise((resolve, reject) => {
  const socket = connect(broker.port, broker.host);
  socket.once('connect', () => { socket.destroy(); resolve(); }).once('error', reject);
});
console.log('listening');`;

test('unref(): a process whose broker is still running exits by itself', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_BOUND_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  assert.equal(signal, null, `the broker kept the process alive for ${CHILD_BOUND_MS} ms; output:\n${output}`);
  assert.equal(code, 0, output);
  assert.equal(output.trim(), 'listening', 'the broker accepted connections after unref()');
});
