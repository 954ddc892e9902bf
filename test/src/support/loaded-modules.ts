import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CHILDREN = new URL('./children/', import.meta.url);

/** Server code: the native store and codec, the server's logger, and the broker's server folders. */
const SERVER_CODE = [
  /node_modules\/lmdb\//,
  /node_modules\/msgpackr(-extract)?\//,
  /node_modules\/pino\//,
  /packages\/broker\/dist\/src\/(core|protocol|store|admin|cli)\//,
  /packages\/broker\/dist\/src\/(server|config|logger|cli|tx-command)\.js$/,
];

/**
 * Every module (ESM URL or CommonJS path) that importing `specifier` in a fresh process loads;
 * `preload` are modules imported first (`--import`), such as `reflect-metadata`.
 */
export async function modulesLoadedBy(specifier: string, preload: readonly string[] = []): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-loads-'));
  try {
    const imports = [...preload, new URL('record-loads.js', CHILDREN).href].flatMap((module) => ['--import', module]);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...imports, fileURLToPath(new URL('report-loads.js', CHILDREN)), specifier],
      { env: { ...process.env, TXMQ_LOAD_LOG: join(dir, 'loads.txt') }, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
    );
    return stdout.split('\n').filter(Boolean);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The broker server modules among `modules`. */
export const serverModules = (modules: readonly string[]): string[] => modules.filter((m) => SERVER_CODE.some((pattern) => pattern.test(m)));
