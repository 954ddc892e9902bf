import { InvalidOptionsError } from '@txmq/outbox';

type PGlite = import('@electric-sql/pglite').PGlite;

/**
 * The data directory of a PGlite database just initialised. Creating a database runs initdb
 * (seconds); loading this copy takes a fraction of that, so only the first testing application
 * of a process pays for it. Every database opened from it is a separate, empty one.
 */
let freshDataDir: Promise<Blob> | undefined;

/** A fresh in-memory PGlite database; `@electric-sql/pglite` is an optional peer dependency. */
export async function freshPglite(): Promise<PGlite> {
  let module: typeof import('@electric-sql/pglite');
  try {
    module = await import('@electric-sql/pglite');
  } catch (error) {
    throw new InvalidOptionsError('db', 'no db was given and @electric-sql/pglite is not installed: install it, or pass a Kysely instance', { cause: error });
  }
  const template = freshDataDir;
  if (template !== undefined) {
    const copy = await template.catch(() => undefined);
    if (copy !== undefined) return ready(new module.PGlite({ loadDataDir: copy }));
  }
  const pglite = await ready(new module.PGlite());
  if (freshDataDir === template) {
    const dump = pglite.dumpDataDir('none');
    freshDataDir = dump;
    // A failed dump is forgotten (the next database tries again), unless another replaced it.
    await dump.catch(() => {
      if (freshDataDir === dump) freshDataDir = undefined;
    });
  }
  return pglite;
}

async function ready(pglite: PGlite): Promise<PGlite> {
  await pglite.waitReady;
  return pglite;
}
