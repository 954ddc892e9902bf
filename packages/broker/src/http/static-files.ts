import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's files in this package: `console/` beside `dist/`. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** A file the console serves. */
export interface StaticFile {
  readonly contentType: string;
  readonly content: Buffer;
}

/**
 * The files of `dir` (its top level only, of the types in CONTENT_TYPES), read once, by URL path:
 * `/index.html` also as `/`. Only these paths are served, so no request reaches another file.
 */
export function loadStaticFiles(dir: string = CONSOLE_DIR): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    const path = join(dir, name);
    if (!contentType || !statSync(path).isFile()) continue;
    files.set(`/${name}`, { contentType, content: readFileSync(path) });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}
