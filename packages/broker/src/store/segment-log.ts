import { closeSync, fdatasync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync, writevSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreError } from '../errors.js';
import { syncDir } from './data-dir-lock.js';

/** Where one record's bytes are in the segment log. */
export interface Location {
  readonly segment: number;
  readonly position: number;
  readonly length: number;
}

/** A segment is closed for appends once it grows past this. */
const SEGMENT_BYTES = 256 * 1024 * 1024;

/** Options of {@link SegmentLog}; the defaults are what a broker uses. */
export interface SegmentLogOptions {
  /** The highest segment number the index names (0 for none): new segments are numbered above it. */
  readonly referenced?: number;
  /** Size past which a segment is closed for appends. */
  readonly segmentBytes?: number;
  /** Makes file creations and removals in a directory durable (fsync of the directory). */
  readonly syncDir?: (dir: string) => void;
}
const SUFFIX = '.seg';
/** Stays under the iovec limit of one writev (IOV_MAX, 1024 on Linux). */
const MAX_CHUNKS_PER_WRITE = 512;

/**
 * Append-only files holding message records, outside LMDB (which keeps only where each record is).
 * They are written with `write` and read with `pread`, never memory-mapped, so a large backlog
 * stays in the OS page cache without counting towards the broker's resident memory.
 *
 * Each process appends to a segment of its own (a new file at every open), so a record written
 * before a crash but never indexed is only unreferenced bytes, never the start of a torn record
 * that a later append would follow. Segments below the oldest one still referenced are deleted.
 *
 * Invariants: the directory is locked by its store (one process at a time); a segment number is
 * never used twice, not even one whose file is gone (an index entry may still name it); every
 * segment file's creation is durable (directory fsync) before a record in it can be indexed.
 */
export class SegmentLog {
  readonly #dir: string;
  readonly #readers = new Map<number, number>();
  #active: number;
  #fd: number;
  #size = 0;
  /** Segments written since the last {@link sync}. */
  readonly #unsynced = new Map<number, number>();

  readonly #segmentBytes: number;
  readonly #syncDir: (dir: string) => void;

  constructor(dir: string, options: SegmentLogOptions = {}) {
    const referenced = options.referenced ?? 0;
    this.#segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    this.#syncDir = options.syncDir ?? syncDir;
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
    this.#syncDir(dirname(dir));
    const existing = this.segments();
    const highest = Math.max(existing.at(-1) ?? 0, referenced);
    // Left empty by an earlier process (nothing indexed can be in them): only clutter.
    for (const n of existing) if (statSync(this.#path(n)).size === 0) unlinkSync(this.#path(n));
    this.#active = highest + 1;
    this.#fd = openSync(this.#path(this.#active), 'wx+');
    this.#syncDir(dir);
  }

  /** Numbers of the segment files present, oldest first. */
  segments(): number[] {
    return readdirSync(this.#dir)
      .filter((name) => name.endsWith(SUFFIX))
      .map((name) => Number(name.slice(0, -SUFFIX.length)))
      .filter(Number.isSafeInteger)
      .sort((a, b) => a - b);
  }

  /** Bytes of every segment file present. */
  bytes(): number {
    let total = 0;
    for (const n of this.segments()) {
      try {
        total += statSync(this.#path(n)).size;
      } catch {
        // dropped meanwhile
      }
    }
    return total;
  }

  /** Writes `records` (each given as its chunks) one after the other; durable only after {@link sync}. */
  append(records: readonly (readonly Buffer[])[]): Location[] {
    if (this.#size >= this.#segmentBytes) this.#roll();
    const locations: Location[] = [];
    const chunks: Buffer[] = [];
    let position = this.#size;
    for (const record of records) {
      let length = 0;
      for (const chunk of record) {
        chunks.push(chunk);
        length += chunk.length;
      }
      locations.push({ segment: this.#active, position, length });
      position += length;
    }
    for (let i = 0; i < chunks.length; i += MAX_CHUNKS_PER_WRITE) this.#writeFully(chunks.slice(i, i + MAX_CHUNKS_PER_WRITE));
    this.#unsynced.set(this.#active, this.#fd);
    return locations;
  }

  #writeFully(chunks: Buffer[]): void {
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    let written = writevSync(this.#fd, chunks, this.#size);
    if (written < total) {
      // writev may write less than asked; go on from where it stopped
      const all = Buffer.concat(chunks);
      while (written < total) written += writevSync(this.#fd, [all.subarray(written)], this.#size + written);
    }
    this.#size += total;
  }

  /** Resolves once everything appended so far is on disk. */
  async sync(): Promise<void> {
    const fds = [...this.#unsynced.values()];
    this.#unsynced.clear();
    await Promise.all(fds.map((fd) => new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())))));
  }

  /**
   * The bytes at `location`.
   *
   * @throws StoreError when the segment cannot be read or is shorter than the index says.
   */
  read(location: Location): Buffer {
    const out = Buffer.allocUnsafe(location.length);
    let done = 0;
    try {
      const fd = this.#reader(location.segment);
      while (done < location.length) {
        const n = readSync(fd, out, done, location.length - done, location.position + done);
        if (n === 0) break;
        done += n;
      }
    } catch (error) {
      throw new StoreError(`cannot read segment ${location.segment} of ${this.#dir} at ${location.position}: ${(error as Error).message}`, { cause: error });
    }
    if (done < location.length) throw new StoreError(`segment ${location.segment} of ${this.#dir} ends before ${location.position + location.length}`);
    return out;
  }

  /** Deletes every segment below `segment` (never the one being appended to). */
  dropBelow(segment: number): void {
    let dropped = false;
    for (const n of this.segments()) {
      if (n >= segment || n >= this.#active) break;
      const fd = this.#readers.get(n);
      if (fd !== undefined) closeSync(fd);
      this.#readers.delete(n);
      unlinkSync(this.#path(n));
      dropped = true;
    }
    if (dropped) this.#syncDir(this.#dir);
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
    // The new file first: a failure to create it leaves the log as it was.
    const path = this.#path(this.#active + 1);
    const fd = openSync(path, 'wx+');
    try {
      this.#syncDir(this.#dir);
    } catch (error) {
      closeSync(fd);
      unlinkSync(path);
      throw error;
    }
    // The full segment stays open for reading (and for the sync of what was just written to it).
    this.#readers.set(this.#active, this.#fd);
    this.#active += 1;
    this.#fd = fd;
    this.#size = 0;
  }

  #path(segment: number): string {
    return join(this.#dir, `${String(segment).padStart(10, '0')}${SUFFIX}`);
  }
}
