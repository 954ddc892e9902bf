import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/** The file in a data dir that names the broker process using it. */
export const LOCK_FILE = 'txmq-broker.pid';

/** Lock files this process holds: a lock naming this pid but not listed here is a previous process's that had the same pid (a restarted container). */
const heldHere = new Set<string>();

/** A process's hold on its data dir. */
export interface DataDirLock {
  /** Lets go of the data dir. */
  release(): void;
}

/**
 * Takes `dir` (created if missing) for this process alone, before anything else touches it:
 * creates `txmq-broker.pid` in it holding this process's id, unless a live process (this one
 * included, through another open store) holds it already. A lock whose process is gone (it was
 * killed) is taken over, also when it names this process's pid without this process holding it
 * (a container restarted after a crash gives its broker the same pid again).
 *
 * @throws ConfigError naming `dir` and the pid holding it.
 */
export function lockDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  // Written aside and linked into place, so the lock file never exists without its pid.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        linkSync(mine, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 5) throw error;
      }
      const holder = readPid(file);
      const live = holder === process.pid ? heldHere.has(resolve(file)) : holder !== null && isAlive(holder);
      if (live) {
        throw new ConfigError(`the data dir ${dir} is in use by process ${holder} (lock file ${file}); stop that broker, or give this one another dataDir`, {
          option: 'dataDir',
          problem: `is in use by process ${holder}`,
        });
      }
      removeStale(file, holder);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  syncDir(dir);
  heldHere.add(resolve(file));
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      heldHere.delete(resolve(file));
      if (readPid(file) === process.pid) rmSync(file, { force: true });
    },
  };
}

/** Makes the creation and removal of files in `dir` durable (a file's own fsync does not). */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The pid a lock file holds; null when it is missing or holds no pid. */
function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the lock file of the dead process `holder`. Two processes may find the same stale lock,
 * and the first may have replaced it with its own by the time the second removes it: the rename
 * lets each see what it took away, and one that took a live lock puts it back.
 */
function removeStale(file: string, holder: number | null): void {
  const taken = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, taken);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const pid = readPid(taken);
  if (pid !== holder) {
    try {
      linkSync(taken, file);
    } catch {
      // someone else holds it now; the next attempt reads who
    }
  }
  rmSync(taken, { force: true });
}
