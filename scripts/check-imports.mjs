#!/usr/bin/env node
// Lint of the import graph. Relative imports name their .js file (ESM) and stay inside their own
// package (another package is imported by its name); nothing imports test code; packages depend "downwards" (nest-module -> outbox -> broker/client); application-side code uses
// the broker only through `@txmq/broker/client` (but for the nest module's testing entry, which
// starts one in-process); and inside the broker the layers run
// protocol -> core -> store, with the client side loading no server code (both may use wire/);
// the operator surfaces admin/ and http/ sit beside protocol/, over core/.
// Usage: node scripts/check-imports.mjs [root]   (default: this repository)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const BROKER = 'packages/broker/src/';

/** Bare specifiers a package must not import. */
const FORBIDDEN_PACKAGES = {
  'packages/broker/': [/^@txmq\/outbox/, /^@txmq\/nest/, /^@nestjs\//],
  'packages/outbox/': [/^@txmq\/nest/, /^@nestjs\//],
};

/** Code that runs in applications: it may use the broker through its client entry point only. */
const CLIENT_ONLY = ['packages/outbox/', 'packages/nest-module/', 'examples/'];
/**
 * What may start an in-process broker (`startBroker` of `@txmq/broker`): the nest module's tests,
 * and its testing entry (`@txmq/nest/testing`), which only application tests load.
 */
const MAY_START_BROKER = ['packages/nest-module/test/', 'packages/nest-module/src/testing/'];
/** The testing entry loads the broker server: the rest of the nest module must not import it. */
const NEST_TESTING = 'packages/nest-module/src/testing/';
/** The testing entry imported by the package's own name (`@txmq/nest/testing`, or its files). */
const NEST_TESTING_SPEC = /^@txmq\/nest\/(testing|dist\/src\/testing)(\/|$)/;

/** What the broker's client side (and what it shares with the server) must never load. */
const SERVER_MODULES = ['core/', 'protocol/', 'store/', 'cli/', 'admin/', 'http/', 'server', 'config', 'logger', 'index', 'internal'];
const SERVER_PACKAGES = [/^lmdb(\/|$)/, /^pino(\/|$)/, /^msgpackr(-extract)?(\/|$)/];

/** The CLI commands that talk to a running broker, and the helpers they share. */
const CLI_CLIENT_SIDE = ['cli/admin/', 'cli/tx-command', 'cli/io', 'cli/parse-args', 'cli/security-flags', 'cli/quiet-warnings'];

/** What the operator surfaces (admin/, http/) may import besides their own folders. */
const OPERATOR_ALLOW = ['core/', 'store/', 'rules/', 'wire/', 'errors', 'status-codes', 'client/admin-proto'];

/**
 * The broker's layers: a file under `from` may import, inside the broker's src/, only `allow`
 * (folders end in `/`, files are named without extension); `deny` lists what it must not import.
 */
const LAYERS = [
  { from: ['core/'], allow: ['core/', 'store/', 'rules/', 'errors', 'status-codes', 'system-properties'] },
  { from: ['store/'], allow: ['store/', 'errors', 'status-codes'] },
  { from: ['protocol/'], allow: ['protocol/', 'core/', 'store/', 'rules/', 'wire/', 'auth/', 'errors', 'status-codes', 'system-properties'] },
  // Credentials, users and rights: shared by the server and the client (which signs with them).
  { from: ['auth/'], allow: ['auth/', 'errors', 'status-codes'], denyPackages: SERVER_PACKAGES },
  // The operator surfaces: the admin gRPC services (admin/) and the HTTP console, API and metrics
  // (http/) are written against admin/backend.ts and the core's read models; core/ imports neither.
  { from: ['admin/'], allow: ['admin/', 'auth/', ...OPERATOR_ALLOW] },
  { from: ['http/'], allow: ['http/', 'admin/', 'auth/', ...OPERATOR_ALLOW] },
  // The RocketMQ schema and its shapes, shared by the broker's protocol/ and the client.
  { from: ['wire/'], allow: ['wire/'], denyPackages: SERVER_PACKAGES },
  { from: ['client/', 'rules/', 'errors', 'status-codes', 'system-properties'], deny: SERVER_MODULES, denyPackages: SERVER_PACKAGES },
  // `txmq-broker admin ...` and `txmq-broker tx ...` work on a running broker and do not load one:
  // they use the client side (and what it shares) and the CLI's own option and output helpers.
  {
    from: CLI_CLIENT_SIDE,
    allow: [...CLI_CLIENT_SIDE, 'client/', 'rules/', 'wire/', 'auth/', 'errors', 'status-codes', 'system-properties'],
    denyPackages: SERVER_PACKAGES,
  },
];

/** The package folder `file` belongs to (`packages/outbox/`, `examples/`), or undefined outside them. */
function packageRoot(file) {
  return /^(packages\/[^/]+\/|examples\/)/.exec(file)?.[1];
}

/** Where a relative `spec` of `file` points, as a root-relative module name without extension. */
function resolveRelative(file, spec) {
  return posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.(m?js|cjs|tsx?)$/, '');
}

/** Whether module `name` (inside the broker's src/) is one of `entries` (folders end in `/`). */
function matches(name, entries) {
  return entries.some((entry) => (entry.endsWith('/') ? name.startsWith(entry) : name === entry));
}

/** Every module specifier `source` imports or re-exports, statically or dynamically. */
export function importsOf(source) {
  const specs = [];
  const statics = /(?:^|\n)[ \t]*(?:import|export)\s+(?:[^'";]*?\sfrom\s*)?['"]([^'"\n]+)['"]/g;
  for (const match of source.matchAll(statics)) specs.push(match[1]);
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g)) specs.push(match[1]);
  return specs;
}

/** The import-graph problems of one file (`file` is relative to the repository root, with `/`). */
export function checkSource(file, source) {
  const problems = [];
  const isTs = /\.(m|c)?ts$/.test(file);
  for (const spec of importsOf(source)) {
    const relativeSpec = spec.startsWith('.');
    if (relativeSpec && isTs && !spec.endsWith('.js')) problems.push(`${file}: relative import "${spec}" must end in .js`);
    if (relativeSpec && !isTs && !/\.(m?js|cjs|json)$/.test(spec)) problems.push(`${file}: relative import "${spec}" must name its file`);
    const root = packageRoot(file);
    if (relativeSpec && root && !resolveRelative(file, spec).startsWith(root)) {
      problems.push(`${file}: relative import "${spec}" reaches into another package; import it by its package name`);
    }
    if (/\/test\//.test(spec) && !file.includes('/test/')) problems.push(`${file}: imports test code "${spec}"`);
    for (const [prefix, rules] of Object.entries(FORBIDDEN_PACKAGES)) {
      if (file.startsWith(prefix) && rules.some((r) => r.test(spec))) problems.push(`${file}: must not import "${spec}"`);
    }
    const clientOnly = CLIENT_ONLY.some((prefix) => file.startsWith(prefix)) && !(spec === '@txmq/broker' && MAY_START_BROKER.some((prefix) => file.startsWith(prefix)));
    if (clientOnly && /^@txmq\/broker(\/|$)/.test(spec) && spec !== '@txmq/broker/client') {
      problems.push(`${file}: must import the broker as "@txmq/broker/client", not "${spec}" (which loads the broker server)`);
    }
    const intoTesting = relativeSpec ? resolveRelative(file, spec).startsWith(NEST_TESTING) : NEST_TESTING_SPEC.test(spec);
    if (file.startsWith('packages/nest-module/src/') && !file.startsWith(NEST_TESTING) && intoTesting) {
      problems.push(`${file}: must not import the testing entry "${spec}" (it loads the broker server)`);
    }
    if (file.startsWith(BROKER)) problems.push(...checkLayers(file, spec, relativeSpec));
  }
  return problems;
}

function checkLayers(file, spec, relativeSpec) {
  const own = file.slice(BROKER.length).replace(/\.(m|c)?ts$/, '');
  const target = relativeSpec ? resolveRelative(file, spec) : undefined;
  const inBroker = target?.startsWith(BROKER) ? target.slice(BROKER.length) : undefined;
  const problems = [];
  // protocol/codes.ts is the wire's vocabulary (`Code`...): the domain says it with errors.ts and status-codes.ts.
  if (inBroker === 'protocol/codes' && !own.startsWith('protocol/')) {
    problems.push(`${file}: only protocol/ may import the wire vocabulary "${spec}"; use status-codes.ts or errors.ts`);
  }
  for (const layer of LAYERS) {
    if (!matches(own, layer.from)) continue;
    if (inBroker !== undefined && layer.allow && !matches(inBroker, layer.allow)) {
      problems.push(`${file}: ${layer.from.join(', ')} must not import "${spec}" (allowed: ${layer.allow.join(', ')})`);
    }
    if (inBroker !== undefined && layer.deny && matches(inBroker, layer.deny)) {
      problems.push(`${file}: must not import server code "${spec}"`);
    }
    if (!relativeSpec && layer.denyPackages?.some((r) => r.test(spec))) {
      problems.push(`${file}: must not import server package "${spec}"`);
    }
  }
  return problems;
}

/** Every problem of the repository at `root`. */
export function checkImports(root) {
  const problems = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(m|c)?(ts|js)$/.test(name) && !/\.d\.(m|c)?ts$/.test(name)) {
        problems.push(...checkSource(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8')));
      }
    }
  };
  for (const dir of ['packages', 'test/src', 'bench/src', 'examples']) {
    try {
      walk(join(root, dir));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? dirname(dirname(fileURLToPath(import.meta.url)));
  const problems = checkImports(root);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log('imports ok');
}
