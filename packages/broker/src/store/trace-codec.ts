import { StoreError } from '../errors.js';
import type { StoredTraceEvent } from './records.js';

/** First byte of every encoded trace value: the layouts below, version 1. */
const FORMAT = 1;

/** Event types by code; any other type is written as a string after {@link OTHER_TYPE}. */
const TYPES = ['sent', 'stored', 'delivered', 'acked', 'redelivered', 'dead-lettered', 'recalled', 'checked', 'committed', 'rolled-back'];
const TYPE_CODES = new Map(TYPES.map((type, code) => [type, code]));
const OTHER_TYPE = 0xff;

// An event's flags: which optional fields follow, and which are the previous event's (not repeated).
const TOPIC = 1;
const SAME_TOPIC = 2;
const GROUP = 4;
const SAME_GROUP = 8;
const CLIENT = 16;
const SAME_CLIENT = 32;
const ATTEMPT = 64;
const NOTE = 128;

/** Encoded values are cut from chunks of this size; a chunk's bytes are never written twice. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Writes values one after another into a shared chunk and hands out views of them, so a value
 * costs neither its own allocation nor a copy. A handed-out view is never written again (the
 * store may hold it until its commit is written); a value that does not fit moves to a new chunk.
 */
class Writer {
  static #chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  static #used = 0;
  #buf = Writer.#chunk;
  readonly #start = Writer.#used;
  #at = Writer.#used;
  #moved = false;

  /** Makes room for `bytes` more. */
  reserve(bytes: number): void {
    if (this.#at + bytes <= this.#buf.length) return;
    const length = this.#at - this.#start;
    const moved = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, 2 * (length + bytes)));
    this.#buf.copy(moved, 0, this.#start, this.#at);
    // The old chunk's bytes from #start on were never handed out: this value's, now moved.
    this.#buf = moved;
    this.#at = length;
    this.#moved = true;
  }

  byte(value: number): void {
    this.reserve(1);
    this.#buf[this.#at++] = value;
  }

  double(value: number): void {
    this.reserve(8);
    this.#at = this.#buf.writeDoubleLE(value, this.#at);
  }

  /** A non-negative safe integer, 7 bits a byte (LEB128). */
  uint(value: number): void {
    this.reserve(8);
    while (value >= 0x80) {
      this.#buf[this.#at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.#buf[this.#at++] = value;
  }

  /** UTF-8 bytes after their length. */
  string(value: string): void {
    const n = value.length;
    if (n < 0x80) {
      // Short ASCII (ids, names), byte by byte: cheaper than a native write per string.
      this.reserve(1 + n);
      const buf = this.#buf;
      let at = this.#at + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at++] = c;
      }
      if (i === n) {
        buf[this.#at] = n;
        this.#at = at;
        return;
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.uint(bytes);
    this.reserve(bytes);
    this.#at += this.#buf.write(value, this.#at, 'utf8');
  }

  /** The value written; the next one starts after it, in the same chunk. */
  done(): Buffer {
    const start = this.#moved ? 0 : this.#start;
    Writer.#chunk = this.#buf;
    Writer.#used = this.#at;
    return this.#buf.subarray(start, this.#at);
  }
}

class Reader {
  offset = 0;

  constructor(private readonly bytes: Buffer) {}

  byte(): number {
    if (this.offset >= this.bytes.length) throw truncated();
    return this.bytes[this.offset++]!;
  }

  double(): number {
    if (this.offset + 8 > this.bytes.length) throw truncated();
    const value = this.bytes.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  uint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 0x80;
    }
  }

  string(): string {
    const length = this.uint();
    if (this.offset + length > this.bytes.length) throw truncated();
    const value = this.bytes.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}

function truncated(): StoreError {
  return new StoreError('a stored trace value is truncated: the data dir is damaged');
}

function checkFormat(reader: Reader): void {
  const format = reader.byte();
  if (format !== FORMAT) throw new StoreError(`a stored trace value has format ${format}, this broker reads format ${FORMAT}`);
}

/**
 * One message's events of one commit (all with its `messageId`, in `seq` order, `seq` increasing):
 * `[format][messageId][first seq][count]` then per event `[flags][type][seq - previous seq][at]`
 * and the optional fields the flags name. The message id, and a topic, group or client id equal to
 * the previous event's, are written once.
 */
export function encodeTraceEvents(events: readonly StoredTraceEvent[]): Buffer {
  const w = new Writer();
  const first = events[0]!;
  w.byte(FORMAT);
  w.string(first.messageId);
  w.uint(first.seq);
  w.uint(events.length);
  let seq = first.seq;
  let topic: string | undefined;
  let group: string | undefined;
  let clientId: string | undefined;
  for (const event of events) {
    let flags = 0;
    if (event.topic !== undefined) flags |= event.topic === topic ? TOPIC | SAME_TOPIC : TOPIC;
    if (event.group !== undefined) flags |= event.group === group ? GROUP | SAME_GROUP : GROUP;
    if (event.clientId !== undefined) flags |= event.clientId === clientId ? CLIENT | SAME_CLIENT : CLIENT;
    if (event.attempt !== undefined) flags |= ATTEMPT;
    if (event.note !== undefined) flags |= NOTE;
    w.byte(flags);
    const code = TYPE_CODES.get(event.type);
    if (code === undefined) {
      w.byte(OTHER_TYPE);
      w.string(event.type);
    } else {
      w.byte(code);
    }
    w.uint(event.seq - seq);
    seq = event.seq;
    w.double(event.at);
    if ((flags & (TOPIC | SAME_TOPIC)) === TOPIC) w.string((topic = event.topic!));
    if ((flags & (GROUP | SAME_GROUP)) === GROUP) w.string((group = event.group!));
    if ((flags & (CLIENT | SAME_CLIENT)) === CLIENT) w.string((clientId = event.clientId!));
    if (flags & ATTEMPT) w.uint(event.attempt!);
    if (flags & NOTE) w.string(event.note!);
  }
  return w.done();
}

/** The events {@link encodeTraceEvents} wrote. @throws StoreError when `bytes` are not such a value. */
export function decodeTraceEvents(bytes: Buffer): StoredTraceEvent[] {
  const r = new Reader(bytes);
  checkFormat(r);
  const messageId = r.string();
  let seq = r.uint();
  const count = r.uint();
  const events: StoredTraceEvent[] = [];
  let topic: string | undefined;
  let group: string | undefined;
  let clientId: string | undefined;
  for (let i = 0; i < count; i++) {
    const flags = r.byte();
    const code = r.byte();
    const type = code === OTHER_TYPE ? r.string() : TYPES[code];
    if (type === undefined) throw new StoreError(`a stored trace event has type code ${code}, which this broker does not know`);
    seq += r.uint();
    const event: { -readonly [K in keyof StoredTraceEvent]: StoredTraceEvent[K] } = { messageId, seq, type, at: r.double() };
    if (flags & TOPIC) event.topic = flags & SAME_TOPIC ? previous(topic) : (topic = r.string());
    if (flags & GROUP) event.group = flags & SAME_GROUP ? previous(group) : (group = r.string());
    if (flags & CLIENT) event.clientId = flags & SAME_CLIENT ? previous(clientId) : (clientId = r.string());
    if (flags & ATTEMPT) event.attempt = r.uint();
    if (flags & NOTE) event.note = r.string();
    events.push(event);
  }
  return events;
}

function previous(value: string | undefined): string {
  if (value === undefined) throw new StoreError('a stored trace event repeats a field no earlier event has: the data dir is damaged');
  return value;
}

/** What one commit recorded in the trace database: for retention. */
export interface TraceLogEntry {
  /** The highest seq of the commit's events (the lowest is the entry's key). */
  readonly maxSeq: number;
  /** When the commit's latest event happened. */
  readonly maxAt: number;
  /** The trace database's keys the commit wrote: `[message id index component, seq]`. */
  readonly keys: [string, number][];
}

/** `[format][maxSeq][maxAt: f64][count]` then per key `[id][seq - minSeq]`, `minSeq` being the entry's key. */
export function encodeTraceLog(minSeq: number, entry: TraceLogEntry): Buffer {
  const w = new Writer();
  w.byte(FORMAT);
  w.uint(entry.maxSeq);
  w.double(entry.maxAt);
  w.uint(entry.keys.length);
  for (const [id, seq] of entry.keys) {
    w.string(id);
    w.uint(seq - minSeq);
  }
  return w.done();
}

/** The entry {@link encodeTraceLog} wrote under `minSeq`. @throws StoreError when `bytes` are not such a value. */
export function decodeTraceLog(minSeq: number, bytes: Buffer): TraceLogEntry {
  const r = new Reader(bytes);
  checkFormat(r);
  const maxSeq = r.uint();
  const maxAt = r.double();
  const count = r.uint();
  const keys: [string, number][] = [];
  for (let i = 0; i < count; i++) keys.push([r.string(), minSeq + r.uint()]);
  return { maxSeq, maxAt, keys };
}

/** The `maxAt` of an entry {@link encodeTraceLog} wrote, without reading its keys. */
export function traceLogMaxAt(bytes: Buffer): number {
  const r = new Reader(bytes);
  checkFormat(r);
  r.uint();
  return r.double();
}
