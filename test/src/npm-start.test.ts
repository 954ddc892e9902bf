import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Started {
  readonly npm: ChildProcess;
  readonly port: number;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: () => string;
}

/** `npm start -- --port 0 --memory` as a user runs it, in its own process group (like a terminal's job). */
async function npmStart(): Promise<Started> {
  const npm = spawn('npm', ['start', '--', '--port', '0', '--memory', '--log-level', 'warn'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on \S+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    npm.stdout!.on('data', onData);
    npm.stderr!.on('data', onData);
    void exit.then(({ code }) => reject(new Error(`npm start exited with ${code} before listening:\n${output}`)));
  });
  return { npm, port, exit, output: () => output };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Kills whatever is left of the process group, so a failing run leaves no broker behind. */
function killGroup(started: Started): void {
  try {
    process.kill(-started.npm.pid!, 'SIGKILL');
  } catch {
    // the group is gone: nothing left
  }
}

test('SIGTERM to npm start (as a process manager sends it): the broker drains, npm exits 0, nothing keeps listening', async () => {
  const started = await npmStart();
  try {
    started.npm.kill('SIGTERM');
    const { code, signal } = await started.exit;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, started.output());
    assert.equal(await listening(started.port), false, `port ${started.port} is free once npm has exited`);
  } finally {
    killGroup(started);
  }
});

test('Ctrl-C (SIGINT to the whole process group): the broker drains, npm exits 0, nothing keeps listening', async () => {
  const started = await npmStart();
  try {
    process.kill(-started.npm.pid!, 'SIGINT');
    const { code, signal } = await started.exit;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, started.output());
    assert.equal(await listening(started.port), false, `port ${started.port} is free once npm has exited`);
  } finally {
    killGroup(started);
  }
});
