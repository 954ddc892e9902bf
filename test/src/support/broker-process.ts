import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerConfig } from '@txmq/broker';

const require = createRequire(import.meta.url);
/** The compiled `txmq-broker` binary of this checkout. */
export const BROKER_CLI = require.resolve('@txmq/broker').replace(/index\.js$/, 'cli/main.js');

/** A broker running as a separate process, as users run it. */
export interface BrokerProcess {
  endpoint: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr (structured logs). */
  readonly stderr: () => string;
  /** SIGTERM and wait; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** Starts the broker again on the same data directory and port. */
  restart(): Promise<void>;
  /** Stops the process (if running) and deletes the data directory. */
  dispose(): Promise<void>;
}

export interface BrokerProcessOptions {
  config?: BrokerConfig;
  /** Port to listen on (default: a free one). */
  port?: number;
  memory?: boolean;
  logLevel?: string;
  extraArgs?: string[];
  /** Environment variables the process gets besides this one's (secrets a config's `secretEnv` names). */
  env?: NodeJS.ProcessEnv;
}

/** Starts `txmq-broker` (on a free port unless `options.port` says) with a fresh data directory. */
export async function startBrokerProcess(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'txmq-test-'));
  const configPath = join(dataDir, 'config.json');
  await writeFile(configPath, JSON.stringify(options.config ?? {}));
  let port = options.port ?? 0;
  let child!: ChildProcess;
  let stderr = '';

  const launch = async () => {
    const args = [BROKER_CLI, '--port', String(port), '--data-dir', join(dataDir, 'data'), '--config', configPath, '--log-level', options.logLevel ?? 'info'];
    if (options.memory) args.push('--memory');
    args.push(...(options.extraArgs ?? []));
    child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.env && { env: { ...process.env, ...options.env } }) });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`broker did not start within 15 s; stderr:\n${stderr}`)), 15_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (\S+):(\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(`${match[1]}:${match[2]}`);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`broker exited with ${code} before listening; stderr:\n${stderr}`));
      });
    });
    port = Number(endpoint.split(':')[1]);
    handle.endpoint = endpoint;
  };
  const exited = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });

  const handle: BrokerProcess = {
    endpoint: '',
    dataDir,
    get child() {
      return child;
    },
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      return exited();
    },
    async kill() {
      child.kill('SIGKILL');
      await exited();
    },
    restart: launch,
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await launch();
  return handle;
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A unique name for a topic or group, so test files never share state. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A logger for the official client's `logger` option: its default writes files under ~/logs and
 * throws "log stream had been closed" once the first client of a process shuts down.
 */
export const quietLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  close: () => undefined,
};
