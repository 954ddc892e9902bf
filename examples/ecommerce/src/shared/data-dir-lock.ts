import { unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file in a PGlite folder that names the process using it. */
const LOCK_FILE = 'txmq-service.pid';

/** A service's hold on its PGlite folder. */
export interface DataDirLock {
  /** Lets go of the folder (also done when the process exits). */
  release(): Promise<void>;
}

/** The folder is in use by another live process. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  readonly code = 'DATA_DIR_IN_USE';

  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `its data folder ${dir} is in use by process ${pid} (${join(dir, LOCK_FILE)}), and two processes on one PGlite folder corrupt it; ` +
        'stop that process, or give this one another folder with --data-dir',
    );
  }
}

/**
 * Takes `dir` (created if missing) for this process alone: creates `txmq-service.pid` in it,
 * holding this process's id, unless a live process holds it already. A lock whose process is gone
 * (it was killed) is taken over.
 *
 * @throws DataDirInUseError when a live process holds the folder.
 */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  // Written aside and linked into place, so the lock file never exists without its pid.
  const mine = `${file}.${process.pid}`;
  await writeFile(mine, `${process.pid}\n`);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await link(mine, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 5) throw error;
      }
      const holder = await readPid(file);
      if (holder !== null && holder !== process.pid && isAlive(holder)) throw new DataDirInUseError(dir, holder);
      await removeStale(file, holder);
    }
  } finally {
    await rm(mine, { force: true });
  }
  const releaseNow = () => {
    try {
      unlinkSync(file);
    } catch {
      // gone already
    }
  };
  process.once('exit', releaseNow);
  return {
    async release() {
      process.off('exit', releaseNow);
      if ((await readPid(file)) === process.pid) await rm(file, { force: true });
    },
  };
}

/** The pid a lock file holds; null when it is missing or holds no pid. */
async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
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
async function removeStale(file: string, holder: number | null): Promise<void> {
  const taken = `${file}.stale.${process.pid}`;
  try {
    await rename(file, taken);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const pid = await readPid(taken);
  if (pid !== holder && pid !== process.pid) await link(taken, file).catch(() => undefined);
  await rm(taken, { force: true });
}
