import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ReadyMessage } from '../shared/ready.js';
import type { ProcessOutput } from './process-output.js';

/** How to run one process of the system. */
export interface ProcessSpec {
  readonly name: string;
  /** The port to listen on; 0 for a free one (a restart then keeps the one it got). */
  readonly port: number;
  /** Node's arguments for listening on `port`, the script first. */
  readonly args: (port: number) => string[];
  readonly env: NodeJS.ProcessEnv;
  /** How it says it is ready: a {@link ReadyMessage} over IPC, or a stdout line matching (group 1: its address). */
  readonly ready: 'ipc' | RegExp;
  /** Called each time it is ready, after a restart too. */
  readonly onReady?: () => void;
}

/** How long a process may take to be ready. */
const START_BOUND_MS = 60_000;
/** How long a process may take to stop after SIGTERM before it is killed. */
const STOP_BOUND_MS = 25_000;
/** Wait before restarting a process that exited, doubled on each failed restart, up to the max. */
const RESTART_DELAY_MS = 1000;
const RESTART_DELAY_MAX_MS = 10_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A child process the supervisor keeps running: started with an IPC channel in a process group
 * of its own (so Ctrl-C reaches the supervisor alone, which stops the processes in order), and
 * restarted, on the same port, when it exits without being asked to.
 */
export class ManagedProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<Exit> = Promise.resolve({ code: 0, signal: null });
  #address: string | undefined;
  #port: number;
  #stopping = false;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: ProcessSpec,
    private readonly output: ProcessOutput,
  ) {
    this.#port = spec.port;
  }

  get name(): string {
    return this.spec.name;
  }

  /** Where it is reached (a URL, or `host:port` for the broker), once it was ready. */
  get address(): string | undefined {
    return this.#address;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts it; resolves with its address once it is ready, rejects when it exits (or is too slow) first. */
  async start(): Promise<string> {
    const { name } = this.spec;
    const child = spawn(process.execPath, this.spec.args(this.#port), {
      env: this.spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child = child;
    // 'close', not 'exit': only then has the last of its output been read and forwarded.
    const exited = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    this.#exited = exited;
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<string>((resolve, reject) => {
      const pattern = this.spec.ready;
      this.#forward(child.stdout!, (text) => {
        const match = pattern instanceof RegExp ? pattern.exec(text) : null;
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      this.#forward(child.stderr!);
      if (pattern === 'ipc') {
        child.on('message', (message: Partial<ReadyMessage>) => {
          if (message.type === 'ready' && typeof message.url === 'string') resolve(message.url);
        });
      }
      child.once('error', reject);
      void exited.then((exit) => reject(new Error(`${name} exited (${describeExit(exit)}) before it was ready`)));
      timer = setTimeout(() => reject(new Error(`${name} was not ready within ${START_BOUND_MS / 1000} s`)), START_BOUND_MS);
    }).finally(() => clearTimeout(timer));
    try {
      this.#address = await ready;
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      throw error;
    }
    this.#port = Number(/:(\d+)\/?$/.exec(this.#address)?.[1] ?? this.#port);
    void exited.then((exit) => this.#exitedByItself(child, exit));
    this.spec.onReady?.();
    return this.#address;
  }

  /** Sends `message` over the IPC channel, if the process is running; resolves once it is sent. */
  send(message: object): Promise<void> {
    const child = this.#child;
    if (child === undefined || !child.connected) return Promise.resolve();
    return new Promise((resolve) => child.send(message, () => resolve()));
  }

  /** Stops it (SIGTERM, then SIGKILL if it takes too long) and does not restart it. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<'too slow'>((resolve) => (timer = setTimeout(() => resolve('too slow'), STOP_BOUND_MS)));
    const result = await Promise.race([this.#exited, tooSlow]);
    clearTimeout(timer);
    if (result === 'too slow') {
      this.output.note(`${this.name} did not stop within ${STOP_BOUND_MS / 1000} s; killing it`);
      child.kill('SIGKILL');
      await this.#exited;
    } else if (result.code !== 0) {
      this.output.note(`${this.name} stopped with ${describeExit(result)}`);
    }
  }

  #exitedByItself(child: ChildProcess, exit: Exit): void {
    if (this.#stopping || child !== this.#child) return;
    this.output.note(`${this.name} exited (${describeExit(exit)}); restarting it in ${RESTART_DELAY_MS / 1000} s`);
    this.#restartAfter(RESTART_DELAY_MS);
  }

  #restartAfter(delay: number): void {
    this.#restartTimer = setTimeout(() => {
      if (this.#stopping) return;
      this.start().then(
        (address) => this.output.note(`${this.name} is back at ${address}`),
        (error: unknown) => {
          if (this.#stopping) return;
          const next = Math.min(delay * 2, RESTART_DELAY_MAX_MS);
          this.output.note(`${this.name} did not come back (${(error as Error).message}); trying again in ${next / 1000} s`);
          this.#restartAfter(next);
        },
      );
    }, delay);
  }

  #forward(stream: Readable, onLine?: (text: string) => void): void {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => {
      this.output.line(this.name, text);
      onLine?.(text);
    });
  }
}

function describeExit({ code, signal }: Exit): string {
  return signal !== null ? `signal ${signal}` : `exit code ${code}`;
}
