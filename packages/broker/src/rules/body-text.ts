/**
 * How txmq's operator surfaces (the `txmq-broker admin` CLI, the console's `/api/`) show a message
 * body and other text that came from applications: a body is text when it is printable UTF-8, and
 * base64 otherwise; text printed on a terminal has its control characters escaped.
 */

/** Control characters: C0, DEL and C1. Tab, newline and carriage return are printable in a body. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * What a terminal must not receive raw: every C0, DEL and C1 control (ESC starts escape sequences,
 * BEL rings, a newline would forge a line), the line and paragraph separators, and the
 * bidirectional controls (which reorder what follows them).
 */
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A body's text as a JSON document carries it. */
export interface BodyText {
  readonly encoding: 'utf8' | 'base64';
  readonly text: string;
}

/**
 * `bytes` (a whole body, or with `truncated` its first bytes) as text: UTF-8 when the bytes are
 * UTF-8 without control characters (tab, newline and carriage return allowed), base64 otherwise.
 * A cut inside a multi-byte character drops that character's bytes rather than call the body binary.
 */
export function bodyText(bytes: Uint8Array, truncated: boolean): BodyText {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const cut of truncated ? [0, 1, 2, 3] : [0]) {
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, Math.max(0, bytes.length - cut)));
    } catch {
      continue;
    }
    if (CONTROL.test(text)) break;
    return { encoding: 'utf8', text };
  }
  return { encoding: 'base64', text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64') };
}

/** `text` with each character a terminal must not receive raw written as an escape (`\n`, `\x1b`, `\u202e`). */
export function escapeForTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (char) => {
    const code = char.charCodeAt(0);
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
