import { escapeForTerminal } from '../../rules/body-text.js';
import type { CommandIo } from '../io.js';

/**
 * Prints `rows` under `header` as columns aligned with two spaces between them. Like every printer
 * here, it escapes control characters (see {@link escapeForTerminal}): cells carry what applications sent.
 */
export function printTable(io: CommandIo, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const all = [header, ...rows].map((row) => row.map(escapeForTerminal));
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
  for (const row of all) io.out(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

/** Prints `label  value` lines with the values aligned. */
export function printFields(io: CommandIo, fields: readonly (readonly [string, string])[]): void {
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) io.out(`  ${label.padEnd(width)}  ${escapeForTerminal(value)}`.trimEnd());
}

/** Prints one line of text, its control characters escaped. */
export function printLine(io: CommandIo, text: string): void {
  io.out(escapeForTerminal(text));
}

/** The one JSON document of a `--json` run. */
export function printJson(io: CommandIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** A time as ISO-8601, or `-` when absent. */
export function isoOrDash(time: Date | undefined): string {
  return time ? time.toISOString() : '-';
}

/** `--page-token` of the next page, for a table run (on stderr: stdout keeps only the table). */
export function printMore(io: CommandIo, nextPageToken: string | undefined): void {
  if (nextPageToken) io.err(escapeForTerminal(`more: run again with --page-token ${nextPageToken}`));
}
