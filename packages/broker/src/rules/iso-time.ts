/**
 * How txmq's operator surfaces (the `txmq-broker admin` CLI, the console's `/api/`) read a time an
 * operator types: ISO-8601, checked field by field, so that `2026-02-30` is refused rather than
 * read as March 2nd.
 */

/** A time read from text (ms since the epoch), or why the text is not one. */
export type IsoTimeResult = { readonly ms: number } | { readonly problem: string };

export interface IsoTimeOptions {
  /**
   * `required`: the text must be a date and time with a zone (a server reading it must not guess
   * its caller's zone). `local` (default): a date alone is local midnight, a date and time without
   * a zone is local time.
   */
  readonly zone?: 'required' | 'local';
}

/**
 * `YYYY-MM-DD`, then optionally `T` (or `t` or a space) and `hh:mm`, `:ss`, `.fraction` (1 to 9
 * digits, cut to milliseconds), and a zone: `Z` (or `z`), `±hh:mm`, `±hhmm` or `±hh` (`-00:00` is UTC).
 */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** What {@link parseIsoTime} reads, for messages that show an example. */
export const ISO_TIME_EXAMPLE = '2026-01-31T12:00:00Z';

/**
 * Reads `text` as ISO-8601. Refused: what does not match the form, a day the month does not have,
 * hours past 23 (`24:00` included: write the next day's `00:00`), minutes or seconds past 59, a
 * zone offset past 23:59, a local time that does not exist (skipped by a daylight-saving change),
 * and a time before 1970-01-01T00:00:00Z (nothing is stored before it).
 */
export function parseIsoTime(text: string, options: IsoTimeOptions = {}): IsoTimeResult {
  const match = ISO_TIME.exec(text);
  if (!match) return { problem: 'is not an ISO-8601 date or time' };
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const hasTime = hour !== undefined;
  if (options.zone === 'required' && (!hasTime || zone === undefined)) return { problem: 'lacks a time or a zone (Z or ±hh:mm)' };
  const fields = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
    ms: Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
  };
  const fieldProblem = calendarProblem(fields);
  if (fieldProblem) return { problem: fieldProblem };
  const { year: y, month: m, day: d, hour: h, minute: mi, second: s, ms: f } = fields;
  let ms: number;
  if (zone !== undefined) {
    const offset = offsetMinutes(zone);
    if (offset === undefined) return { problem: `has a zone offset ${zone} past 23:59` };
    ms = utc(y, m, d, h, mi, s, f) - offset * 60_000;
  } else {
    const local = new Date(0);
    local.setFullYear(y, m - 1, d);
    local.setHours(h, mi, s, f);
    if (local.getHours() !== h || local.getMinutes() !== mi || local.getDate() !== d) {
      return { problem: 'does not exist in the local time zone (a daylight-saving change skips it); give a zone' };
    }
    ms = local.getTime();
  }
  if (ms < 0) return { problem: 'is before 1970-01-01T00:00:00Z' };
  return { ms };
}

interface Fields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly ms: number;
}

/** Why the fields are not a date and time of the calendar, or undefined when they are. */
function calendarProblem({ year, month, day, hour, minute, second }: Fields): string | undefined {
  if (month < 1 || month > 12) return `has no month ${String(month).padStart(2, '0')}`;
  const days = new Date(utc(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
  if (day < 1 || day > days) return `has day ${String(day).padStart(2, '0')} while ${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')} has ${days} days`;
  if (hour > 23) return 'has an hour past 23 (for the end of a day, write the next day at 00:00)';
  if (minute > 59) return 'has minutes past 59';
  if (second > 59) return 'has seconds past 59';
  return undefined;
}

/** Date.UTC with a 4-digit year read as such (Date.UTC reads 0 to 99 as 1900 to 1999). */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** A zone's offset east of UTC in minutes, or undefined when its hours or minutes are out of range. */
function offsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
