/** Where the supervisor's processes' output and its own notes go. */
export interface ProcessOutput {
  /** A line a process printed. */
  line(name: string, text: string): void;
  /** Something the supervisor has to say (a process exited, came back...). */
  note(text: string): void;
}

/** Every line shown at once, tagged with its process: `[points] points ready at ...`. */
export function prefixedOutput(): ProcessOutput {
  const width = 'coupons'.length;
  return {
    line: (name, text) => console.log(`${`[${name}]`.padEnd(width + 2)} ${text}`),
    note: (text) => console.log(text),
  };
}

/** Output kept (the last lines of each process) rather than shown; `dump()` prints it. */
export function quietOutput(keep = 40): ProcessOutput & { dump(): void } {
  const kept = new Map<string, string[]>();
  return {
    line(name, text) {
      const lines = kept.get(name) ?? [];
      lines.push(text);
      if (lines.length > keep) lines.shift();
      kept.set(name, lines);
    },
    note: (text) => console.log(text),
    dump() {
      for (const [name, lines] of kept) for (const line of lines) console.error(`[${name}] ${line}`);
    },
  };
}
