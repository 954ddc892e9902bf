// `npm start` runs the e-commerce example: the broker and the services, each a child process of
// the supervisor that npm execs. Stopping npm the ways people and process managers do must stop
// every one of those processes, and killing the supervisor outright must not leave any behind.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '@txmq/test-support';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** One process of the running example, as the banner lists it. */
interface Listed {
  readonly name: string;
  readonly address: string;
  readonly pid: number;
}

interface Started {
  readonly npm: ChildProcess;
  readonly processes: readonly Listed[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly output: () => string;
}

let dataDir: string;
before(async () => {
  // One folder for every start: the first creates the databases, the later ones reopen them.
  dataDir = await mkdtemp(join(tmpdir(), 'txmq-npm-start-'));
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The environment of a user's shell: no Postgres or broker of the test run. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_SCHEMA_PREFIX', 'TXMQ_ENDPOINTS', 'TXMQ_DATA_DIR', 'TXMQ_WITH_GIFTS']) delete env[name];
  return env;
}

/**
 * `npm start -- --free-ports --data-dir DIR` as a user runs it, in its own process group (like a
 * terminal's job); or, with `direct`, the supervisor it runs, without npm and the build.
 */
async function npmStart(direct = false): Promise<Started> {
  const args = ['--free-ports', '--data-dir', dataDir];
  const [command, commandArgs] = direct ? [process.execPath, ['examples/ecommerce/dist/main.js', ...args]] : ['npm', ['start', '--', ...args]];
  const npm = spawn(command, commandArgs, { cwd: root, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const processes = await new Promise<Listed[]>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const banner = /example ready: open \S+ .*\n((?: {2}\S+ +\S+ +pid \d+\n)+)/.exec(output);
      if (banner) {
        resolve([...banner[1]!.matchAll(/^ {2}(\S+) +(\S+) +pid (\d+)$/gm)].map((m) => ({ name: m[1]!, address: m[2]!, pid: Number(m[3]) })));
      }
    };
    npm.stdout!.on('data', onData);
    npm.stderr!.on('data', onData);
    void exit.then(({ code }) => reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`)));
  });
  return { npm, processes, exit, output: () => output };
}

function listed(started: Started, name: string): Listed {
  const found = started.processes.find((p) => p.name === name);
  assert.ok(found, `the banner lists ${name}:\n${started.output()}`);
  return found;
}

/** Whether something accepts TCP connections at `address` (`host:port` or `http://host:port`). */
function listening(address: string): Promise<boolean> {
  const port = Number(/:(\d+)\/?$/.exec(address)![1]);
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Nothing of the example is left: no process runs, no port is taken. */
async function assertNothingLeft(started: Started): Promise<void> {
  for (const p of started.processes) {
    assert.equal(alive(p.pid), false, `${p.name} (pid ${p.pid}) has exited:\n${started.output()}`);
    assert.equal(await listening(p.address), false, `${p.name}'s ${p.address} is free:\n${started.output()}`);
  }
}

/** Kills whatever is left, so a failing run leaves no process behind. */
function killAll(started: Started | undefined): void {
  if (started === undefined) return;
  for (const pid of [-started.npm.pid!, ...started.processes.map((p) => p.pid)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

test('npm start runs the broker, account, points and coupons; a registration gets its rewards; SIGTERM to npm (as a process manager sends it) stops everything and npm exits 0', async () => {
  let started: Started | undefined;
  try {
    started = await npmStart();
    assert.deepEqual(started.processes.map((p) => p.name).sort(), ['account', 'broker', 'coupons', 'points']);
    const account = listed(started, 'account').address;
    const created = await fetch(`${account}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', name: 'Ada Lovelace' }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    await eventually('100 points and one coupon for the new user', async () => {
      const answer = (await (await fetch(`${account}/users/${id}/rewards`)).json()) as { points: { balance: number } | null; coupons: unknown[] | null };
      return answer.points?.balance === 100 && answer.coupons?.length === 1;
    }, { intervalMs: 100 });
    started.npm.kill('SIGTERM');
    const { code, signal } = await started.exit;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, started.output());
    await assertNothingLeft(started);
  } finally {
    killAll(started);
  }
});

test('Ctrl-C (SIGINT to the whole process group): the services drain, then the broker; npm exits 0 and nothing keeps running', async () => {
  let started: Started | undefined;
  try {
    started = await npmStart();
    process.kill(-started.npm.pid!, 'SIGINT');
    const { code, signal } = await started.exit;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, started.output());
    const output = started.output();
    const servicesStopped = Math.max(...['account', 'points', 'coupons'].map((name) => output.indexOf(`${name} stopping`)));
    assert.ok(servicesStopped > 0 && servicesStopped < output.indexOf('txmq broker stopping'), `the services stop before the broker:\n${output}`);
    await assertNothingLeft(started);
  } finally {
    killAll(started);
  }
});

test('a supervisor killed outright (SIGKILL) leaves no broker or service running: each stops by itself', async () => {
  let started: Started | undefined;
  try {
    started = await npmStart(true);
    process.kill(-started.npm.pid!, 'SIGKILL');
    await started.exit;
    const processes = started.processes;
    await eventually('every process of the example to exit', () => processes.every((p) => !alive(p.pid)), { timeoutMs: 30_000, intervalMs: 100 });
    await assertNothingLeft(started);
  } finally {
    killAll(started);
  }
});

test('the broker alone is one command too: npx txmq-broker runs it until Ctrl-C, which it drains and stops at', async () => {
  const npx = spawn('npx', ['txmq-broker', '--port', '0', '--memory', '--log-level', 'warn'], { cwd: root, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npx.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (\S+:\d+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      npx.stdout.on('data', onData);
      npx.stderr.on('data', onData);
      void exit.then(({ code }) => reject(new Error(`npx txmq-broker exited with ${code} before listening:\n${output}`)));
    });
    process.kill(-npx.pid!, 'SIGINT');
    // npx itself ends by the signal (as an interrupted command does); the broker, which got it too, drains and exits.
    await exit;
    await eventually(`the broker to free ${endpoint}`, async () => !(await listening(endpoint)), { intervalMs: 100 });
    assert.match(output, /txmq broker stopping \(SIGINT\)/);
  } finally {
    try {
      process.kill(-npx.pid!, 'SIGKILL');
    } catch {
      // the group is gone: nothing left
    }
  }
});
