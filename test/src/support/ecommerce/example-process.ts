import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How to run one process of the e-commerce example. */
export interface ExampleProcessSpec {
  readonly name: string;
  /** Node's arguments, the script first. The same on every start, so a restart keeps its port. */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** A stdout line that says it is ready. */
  readonly ready: RegExp;
}

/** How long a start may take before it counts as failed. */
const START_BOUND_MS = 60_000;
/** How long a SIGTERM may take before the process is killed. */
const STOP_BOUND_MS = 30_000;

/**
 * One process of the example (the broker or a service), started as a child with an IPC channel:
 * the example's processes stop when their parent's channel closes, so a test that dies leaves
 * nothing running. Keeps everything every run of it printed, each line tagged with the run.
 */
export class ExampleProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #runs = 0;
  readonly #lines: string[] = [];

  constructor(readonly spec: ExampleProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Every line its runs printed, stdout and stderr, as `[name#run] text`. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** The last `count` lines, for a failure message. */
  tail(count = 60): string {
    return this.#lines.slice(-count).join('\n');
  }

  /** Starts it and resolves once it printed its ready line; rejects (and kills it) when it exits or is too slow first. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is running already`);
    const run = ++this.#runs;
    const child = spawn(process.execPath, [...this.spec.args], { env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.#child = child;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.#exited = exited.then(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      const record = (stream: NodeJS.ReadableStream, onLine?: (text: string) => void) =>
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => {
          this.#lines.push(`[${this.name}#${run}] ${text}`);
          onLine?.(text);
        });
      record(child.stdout!, (text) => {
        if (this.spec.ready.test(text)) resolve();
      });
      record(child.stderr!);
      child.once('error', reject);
      void exited.then(({ code, signal }) => reject(new Error(`${this.name} exited (${signal ?? `code ${code}`}) before it was ready:\n${this.tail()}`)));
      timer = setTimeout(() => reject(new Error(`${this.name} was not ready within ${START_BOUND_MS} ms:\n${this.tail()}`)), START_BOUND_MS);
    }).finally(() => clearTimeout(timer));
    try {
      await ready;
    } catch (error) {
      child.kill('SIGKILL');
      await this.#exited;
      throw error;
    }
  }

  /** SIGKILL, as a crash: no shutdown code runs. Resolves once it is gone. */
  async kill(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  /** SIGTERM (a graceful stop), then SIGKILL if it takes longer than 30 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<'too slow'>((resolve) => (timer = setTimeout(() => resolve('too slow'), STOP_BOUND_MS)));
    this.#child!.kill('SIGCONT');
    this.#child!.kill('SIGTERM');
    const result = await Promise.race([this.#exited, tooSlow]);
    clearTimeout(timer);
    if (result === 'too slow') await this.kill();
  }

  /** Stops (SIGSTOP) or resumes (SIGCONT) it, to freeze it for a moment. */
  pause(paused: boolean): void {
    if (this.running) this.#child!.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    this.#child!.kill(signal);
    await this.#exited;
  }
}
