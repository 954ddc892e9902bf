import { closeSync, fdatasync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync, writevSync } from 'node:fs';
import { join } from 'node:path';

/** Where one record's bytes are in the segment log. */
export interface Location {
  readonly segment: number;
  readonly position: number;
  readonly length: number;
}

/** A segment is closed for appends once it grows past this. */
const SEGMENT_BYTES = 256 * 1024 * 1024;
const SUFFIX = '.seg';

/**
 * Append-only files holding message records, outside LMDB (which keeps only where each record is).
 * They are written with `write` and read with `pread`, never memory-mapped, so a large backlog
 * stays in the OS page cache without counting towards the broker's resident memory.
 *
 * Each process appends to a segment of its own (a new file at every open), so a record written
 * before a crash but never indexed is only unreferenced bytes, never the start of a torn record
 * that a later append would follow. Segments below the oldest one still referenced are deleted.
 */
export class SegmentLog {
  readonly #dir: string;
  readonly #readers = new Map<number, number>();
  #active: number;
  #fd: number;
  #size = 0;
  /** Segments written since the last {@link sync}. */
  readonly #unsynced = new Map<number, number>();

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
    for (const n of this.segments()) if (statSync(this.#path(n)).size === 0) unlinkSync(this.#path(n));
    const existing = this.segments();
    this.#active = (existing.at(-1) ?? 0) + 1;
    this.#fd = openSync(this.#path(this.#active), 'wx+');
  }

  /** Numbers of the segment files present, oldest first. */
  segments(): number[] {
    return readdirSync(this.#dir)
      .filter((name) => name.endsWith(SUFFIX))
      .map((name) => Number(name.slice(0, -SUFFIX.length)))
      .filter(Number.isSafeInteger)
      .sort((a, b) => a - b);
  }

  /** Writes `records` one after the other (to the OS, not yet durably: see {@link sync}). */
  append(records: readonly Buffer[]): Location[] {
    if (this.#size >= SEGMENT_BYTES) this.#roll();
    const locations: Location[] = [];
    let position = this.#size;
    for (const record of records) {
      locations.push({ segment: this.#active, position, length: record.length });
      position += record.length;
    }
    let written = 0;
    const total = position - this.#size;
    while (written < total) {
      // writev may write less than asked; go on from where it stopped
      written += writevSync(this.#fd, written === 0 ? (records as Buffer[]) : [Buffer.concat(records).subarray(written)], this.#size + written);
    }
    this.#size = position;
    this.#unsynced.set(this.#active, this.#fd);
    return locations;
  }

  /** Resolves once everything appended so far is on disk. */
  async sync(): Promise<void> {
    const fds = [...this.#unsynced.values()];
    this.#unsynced.clear();
    await Promise.all(fds.map((fd) => new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())))));
  }

  /** The bytes at `location`. */
  read(location: Location): Buffer {
    const out = Buffer.allocUnsafe(location.length);
    const fd = this.#reader(location.segment);
    let done = 0;
    while (done < location.length) {
      const n = readSync(fd, out, done, location.length - done, location.position + done);
      if (n === 0) throw new Error(`segment ${location.segment} ends before ${location.position + location.length}`);
      done += n;
    }
    return out;
  }

  /** Deletes every segment below `segment` (never the one being appended to). */
  dropBelow(segment: number): void {
    for (const n of this.segments()) {
      if (n >= segment || n >= this.#active) break;
      const fd = this.#readers.get(n);
      if (fd !== undefined) closeSync(fd);
      this.#readers.delete(n);
      unlinkSync(this.#path(n));
    }
  }

  close(): void {
    for (const fd of this.#readers.values()) if (fd !== this.#fd) closeSync(fd);
    this.#readers.clear();
    closeSync(this.#fd);
  }

  #reader(segment: number): number {
    if (segment === this.#active) return this.#fd;
    let fd = this.#readers.get(segment);
    if (fd === undefined) {
      fd = openSync(this.#path(segment), 'r');
      this.#readers.set(segment, fd);
    }
    return fd;
  }

  #roll(): void {
    // The full segment stays open for reading (and for the sync of what was just written to it).
    this.#readers.set(this.#active, this.#fd);
    this.#active += 1;
    this.#fd = openSync(this.#path(this.#active), 'wx+');
    this.#size = 0;
  }

  #path(segment: number): string {
    return join(this.#dir, `${String(segment).padStart(10, '0')}${SUFFIX}`);
  }
}
