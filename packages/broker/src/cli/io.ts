/** Where a command writes: stdout and stderr, replaceable in tests; and the environment it reads. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** The environment variables a command reads (`TXMQ_ACCESS_KEY`...); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The process's stdout, stderr and environment. */
export const CONSOLE_IO: CommandIo = { out: (line) => console.log(line), err: (line) => console.error(line), env: process.env };
