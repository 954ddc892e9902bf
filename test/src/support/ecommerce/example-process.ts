import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How to run one process of the e-commerce example. */
export interface ExampleProcessSpec {
  readonly name: string;
  /** The program (default: this Node). */
  readonly command?: string;
  /**
   * Its arguments (for Node, the script first) for listening on `port`: 0 on the first start, so
   * it binds a free port itself (nothing to race for), then the port it got, so a restart comes
   * back where the others expect it.
   */
  readonly args: (port: number) => readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** A stdout line that says it is ready; its group 1, if any, is its address (`http://host:port` or `host:port`). */
  readonly ready: RegExp;
  /**
   * With an IPC channel (the default), the example's processes stop when the channel closes, so a
   * test that dies leaves nothing running. Off, it runs as from a shell.
   */
  readonly ipc?: boolean;
  /** In a process group of its own, as a terminal's job: {@link ExampleProcess.signalGroup} reaches all of it. */
  readonly detached?: boolean;
  /** How long a start may take before it counts as failed (default 60 s). */
  readonly startBoundMs?: number;
}

/** How a run ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How long a SIGTERM may take before the process is killed. */
const STOP_BOUND_MS = 30_000;

/**
 * One process of the example (the broker, a service, the supervisor or npm), started as a child.
 * Keeps everything every run of it printed, each line tagged with the run.
 */
export class ExampleProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  #runs = 0;
  #port = 0;
  #address: string | undefined;
  readonly #lines: string[] = [];

  constructor(readonly spec: ExampleProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Its pid in the current (or last) run. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The address its ready line named, once it was ready. */
  get address(): string {
    if (this.#address === undefined) throw new Error(`${this.name} has not said where it listens`);
    return this.#address;
  }

  /** How the current (or last) run ended; resolves once it has. */
  get exited(): Promise<Exit> {
    return this.#exited;
  }

  /** Every line its runs printed, stdout and stderr, as `[name#run] text`. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Every line, as one text. */
  output(): string {
    return this.#lines.join('\n');
  }

  /** The last `count` lines, for a failure message. */
  tail(count = 60): string {
    return this.#lines.slice(-count).join('\n');
  }

  /** Starts it and resolves once it printed its ready line; rejects (and kills it) when it exits or is too slow first. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is running already`);
    const run = ++this.#runs;
    const stdio = this.spec.ipc === false ? (['ignore', 'pipe', 'pipe'] as const) : (['ignore', 'pipe', 'pipe', 'ipc'] as const);
    const child = spawn(this.spec.command ?? process.execPath, [...this.spec.args(this.#port)], {
      env: this.spec.env,
      cwd: this.spec.cwd,
      detached: this.spec.detached ?? false,
      stdio: [...stdio],
    });
    this.#child = child;
    const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.#exited = exited;
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<string | undefined>((resolve, reject) => {
      const record = (stream: NodeJS.ReadableStream, onLine?: (text: string) => void) =>
        createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => {
          this.#lines.push(`[${this.name}#${run}] ${text}`);
          onLine?.(text);
        });
      record(child.stdout!, (text) => {
        const match = this.spec.ready.exec(text);
        if (match) resolve(match[1]);
      });
      record(child.stderr!);
      child.once('error', reject);
      void exited.then(({ code, signal }) => reject(new Error(`${this.name} exited (${signal ?? `code ${code}`}) before it was ready:\n${this.tail()}`)));
      const bound = this.spec.startBoundMs ?? 60_000;
      timer = setTimeout(() => reject(new Error(`${this.name} was not ready within ${bound} ms:\n${this.tail()}`)), bound);
    }).finally(() => clearTimeout(timer));
    try {
      const address = await ready;
      if (address !== undefined) {
        this.#address = address;
        this.#port = Number(/:(\d+)\/?$/.exec(address)?.[1] ?? this.#port);
      }
    } catch (error) {
      this.signalGroup('SIGKILL');
      child.kill('SIGKILL');
      await exited;
      throw error;
    }
  }

  /** SIGKILL, as a crash: no shutdown code runs. Resolves once it is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child!.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGTERM (a graceful stop), then SIGKILL if it takes longer than 30 s; resolves to how it ended. */
  async stop(): Promise<Exit> {
    if (!this.running) return this.#exited;
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<'too slow'>((resolve) => (timer = setTimeout(() => resolve('too slow'), STOP_BOUND_MS)));
    this.#child!.kill('SIGCONT');
    this.#child!.kill('SIGTERM');
    const result = await Promise.race([this.#exited, tooSlow]);
    clearTimeout(timer);
    if (result === 'too slow') await this.kill();
    return this.#exited;
  }

  /** Stops (SIGSTOP) or resumes (SIGCONT) it, to freeze it for a moment. */
  pause(paused: boolean): void {
    if (this.running) this.#child!.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Sends `signal` to its process group (a detached one; nothing otherwise); false when the group is gone. */
  signalGroup(signal: NodeJS.Signals): boolean {
    if (!this.spec.detached || this.#child?.pid === undefined) return false;
    try {
      process.kill(-this.#child.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}
