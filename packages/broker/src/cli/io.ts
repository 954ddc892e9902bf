/** Where a command writes: stdout and stderr, replaceable in tests. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** The process's stdout and stderr. */
export const CONSOLE_IO: CommandIo = { out: (line) => console.log(line), err: (line) => console.error(line) };
