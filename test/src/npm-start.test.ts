// `npm start` runs the e-commerce example: the broker and the services, each a child process of
// the supervisor that npm execs. Stopping npm the ways people and process managers do must stop
// every one of those processes, killing the supervisor outright must not leave any behind, and a
// service killed with kill -9 (as the README invites) comes back on its PGlite folder.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '@txmq/test-support';
import { EXAMPLE_MAIN } from './support/ecommerce/example-paths.js';
import { ExampleProcess } from './support/ecommerce/example-process.js';
import { userEnv } from './support/ecommerce/user-env.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** How long the example may take to start (npm builds the workspace first; PGlite per service). */
const START_BOUND_MS = 120_000;

/** One process of the running example, as the banner lists it. */
interface Listed {
  readonly name: string;
  readonly address: string;
  readonly pid: number;
}

interface Started {
  readonly npm: ExampleProcess;
  readonly processes: readonly Listed[];
}

let dataDir: string;
before(async () => {
  // One folder for every start: the first creates the databases, the later ones reopen them.
  dataDir = await mkdtemp(join(tmpdir(), 'txmq-npm-start-'));
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * `npm start -- --free-ports --data-dir DIR` as a user runs it, in its own process group (like a
 * terminal's job) and without an IPC channel; or, with `direct`, the supervisor it runs, without
 * npm and the build. Resolves once the banner is printed (its last line is the data folder's).
 */
async function npmStart(direct = false): Promise<Started> {
  const args = ['--free-ports', '--data-dir', dataDir];
  const npm = new ExampleProcess({
    name: direct ? 'supervisor' : 'npm',
    command: direct ? process.execPath : 'npm',
    args: () => (direct ? [EXAMPLE_MAIN, ...args] : ['start', '--', ...args]),
    cwd: root,
    env: userEnv(),
    ready: /^ {2}data {5}\S/,
    ipc: false,
    detached: true,
    startBoundMs: START_BOUND_MS,
  });
  await npm.start();
  const processes = [...npm.output().matchAll(/^\[\S+\] {3}(\S+) +(\S+) +pid (\d+)$/gm)].map((m) => ({ name: m[1]!, address: m[2]!, pid: Number(m[3]) }));
  return { npm, processes };
}

function listed(started: Started, name: string): Listed {
  const found = started.processes.find((p) => p.name === name);
  assert.ok(found, `the banner lists ${name}:\n${started.npm.output()}`);
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
    assert.equal(alive(p.pid), false, `${p.name} (pid ${p.pid}) has exited:\n${started.npm.output()}`);
    assert.equal(await listening(p.address), false, `${p.name}'s ${p.address} is free:\n${started.npm.output()}`);
  }
}

/** Kills whatever is left, so a failing run leaves no process behind. */
function killAll(started: Started | undefined): void {
  if (started === undefined) return;
  started.npm.signalGroup('SIGKILL');
  for (const p of started.processes) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Registers a user; resolves to its id. */
async function register(account: string, email: string, name: string): Promise<string> {
  const created = await fetch(`${account}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, name }) });
  assert.equal(created.status, 201, await created.clone().text());
  return ((await created.json()) as { id: string }).id;
}

/** Waits until the user has 100 points and one coupon (read through the account service). */
async function rewardsArrive(account: string, id: string): Promise<void> {
  await eventually(`100 points and one coupon for user ${id}`, async () => {
    const answer = (await (await fetch(`${account}/users/${id}/rewards`)).json()) as { points: { balance: number } | null; coupons: unknown[] | null };
    return answer.points?.balance === 100 && answer.coupons?.length === 1;
  }, { timeoutMs: 30_000, intervalMs: 100 });
}

test('npm start runs the broker, account, points and coupons; a registration gets its rewards; kill -9 of account and points: both come back on their PGlite folders and the next registration gets its rewards too; SIGTERM to npm (as a process manager sends it) stops everything and npm exits 0', async () => {
  let started: Started | undefined;
  try {
    started = await npmStart();
    const npm = started.npm;
    assert.deepEqual(started.processes.map((p) => p.name).sort(), ['account', 'broker', 'coupons', 'points']);
    const account = listed(started, 'account').address;
    const ada = await register(account, 'ada@example.com', 'Ada Lovelace');
    await rewardsArrive(account, ada);

    for (const name of ['account', 'points']) process.kill(listed(started, name).pid, 'SIGKILL');
    await eventually('the supervisor to bring account and points back', () => ['account', 'points'].every((name) => npm.output().includes(`] ${name} is back at `)), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    assert.equal((await fetch(`${account}/users/${ada}`)).status, 200, 'the account database kept the user');
    const grace = await register(account, 'grace@example.com', 'Grace Hopper');
    await rewardsArrive(account, grace);
    await rewardsArrive(account, ada);

    assert.deepEqual(await npm.stop(), { code: 0, signal: null }, npm.output());
    await assertNothingLeft(started);
  } finally {
    killAll(started);
  }
});

test('Ctrl-C (SIGINT to the whole process group): the services drain, then the broker; npm exits 0 and nothing keeps running', async () => {
  let started: Started | undefined;
  try {
    started = await npmStart();
    started.npm.signalGroup('SIGINT');
    assert.deepEqual(await started.npm.exited, { code: 0, signal: null }, started.npm.output());
    const output = started.npm.output();
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
    started.npm.signalGroup('SIGKILL');
    await started.npm.exited;
    const processes = started.processes;
    await eventually('every process of the example to exit', () => processes.every((p) => !alive(p.pid)), { timeoutMs: 30_000, intervalMs: 100 });
    await assertNothingLeft(started);
  } finally {
    killAll(started);
  }
});

test('the broker alone is one command too: npx txmq-broker runs it until Ctrl-C, which it drains and stops at', async () => {
  const npx = new ExampleProcess({
    name: 'npx',
    command: 'npx',
    args: () => ['txmq-broker', '--port', '0', '--memory', '--log-level', 'warn'],
    cwd: root,
    env: userEnv(),
    ready: /listening on (\S+:\d+)/,
    ipc: false,
    detached: true,
  });
  try {
    await npx.start();
    npx.signalGroup('SIGINT');
    // npx itself ends by the signal (as an interrupted command does); the broker, which got it too, drains and exits.
    await npx.exited;
    await eventually(`the broker to free ${npx.address}`, async () => !(await listening(npx.address)), { intervalMs: 100 });
    assert.match(npx.output(), /txmq broker stopping \(SIGINT\)/);
  } finally {
    npx.signalGroup('SIGKILL');
  }
});
