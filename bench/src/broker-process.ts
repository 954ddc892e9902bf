import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A txmq broker in a process of its own, as deployed. */
export interface BrokerProcess {
  readonly endpoint: string;
  readonly pid: number;
  /** The broker process's resident set size now, in bytes (from /proc; NaN where there is none). */
  rssBytes(): Promise<number>;
  /** Stops the broker (SIGTERM) and deletes its data directory. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let cleanupInstalled = false;

/** Brokers must not outlive the bench when it is interrupted or crashes. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
}

/** A child process that printed `listening on <endpoint>`. */
export interface ListeningProcess {
  readonly endpoint: string;
  readonly pid: number;
  /** SIGTERM, then resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * Runs `node <args>` and resolves once it prints `listening on <endpoint>`; rejects if it exits
 * first. It is killed when the bench exits.
 */
export async function spawnListening(args: readonly string[], what: string): Promise<ListeningProcess> {
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  installCleanup();
  running.add(child);
  child.once('exit', () => running.delete(child));
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
  return {
    endpoint,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts `txmq-broker` on a free port with a fresh data directory (durable LMDB store). */
export async function startBrokerProcess(): Promise<BrokerProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-bench-'));
  const cli = createRequire(import.meta.url).resolve('@txmq/broker').replace(/index\.js$/, 'cli/main.js');
  const child = await spawnListening([cli, '--port', '0', '--data-dir', dir, '--log-level', 'warn'], 'broker');
  return {
    endpoint: child.endpoint,
    pid: child.pid,
    rssBytes: () => rssOf(child.pid),
    async stop() {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** VmRSS of process `pid` in bytes; NaN without /proc. */
export async function rssOf(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kib === undefined ? Number.NaN : Number(kib) * 1024;
  } catch {
    return Number.NaN;
  }
}
