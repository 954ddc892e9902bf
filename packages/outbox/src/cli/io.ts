/** Where a command writes and what environment it reads: the process's, or a test's. */
export interface CliIo {
  /** Writes one line (or block of lines) to stdout. */
  out(text: string): void;
  /** Writes one line (or block of lines) to stderr. */
  err(text: string): void;
  /** The environment (`DATABASE_URL`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The process's stdout, stderr and environment. */
export const PROCESS_IO: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/** Exit codes of `txmq-outbox`. */
export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

/** Writes `value` as the one JSON document of a `--json` run. */
export function writeJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
