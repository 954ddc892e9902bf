// Every code block a README shows to run is a copy of a file that CI checks, so the README cannot
// rot: a plain .mjs file of examples/snippets/, which runs here to a clean exit against a real
// broker (and Postgres), or a TypeScript file of examples/nest-snippets/src/ (Nest code needs
// decorators), which `tsc -b` compiles and nest-snippets.test.ts runs as one application (but
// accounts.test.ts, a test of its own, which the test runner runs with the others).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveConfig } from '@txmq/broker';
import { testDatabaseUrl } from '@txmq/test-support';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';
import { freePort } from './support/free-port.js';
import { freshDatabase } from './support/fresh-database.js';
import { codeBlocks, readmePaths, readRepoFile, REPO_ROOT } from './support/readmes.js';

const SNIPPETS = 'examples/snippets';
const NEST_SNIPPETS = 'examples/nest-snippets/src';
const RUNNABLE = new Set(['js', 'mjs', 'javascript', 'ts', 'typescript']);
/** How long one snippet may take to run and exit. */
const SNIPPET_BOUND_MS = 60_000;

const snippetFiles = readdirSync(join(REPO_ROOT, SNIPPETS)).sort().map((name) => `${SNIPPETS}/${name}`);
const nestSnippetFiles = readdirSync(join(REPO_ROOT, NEST_SNIPPETS)).sort().map((name) => `${NEST_SNIPPETS}/${name}`);
/** What a marked block may show: a runnable .mjs snippet, or a compiled TypeScript one. */
const SNIPPET_PATH = new RegExp(`^(${SNIPPETS}/[^/]+\\.mjs|${NEST_SNIPPETS}/[^/]+\\.ts)$`);
const readmes = readmePaths().map((path) => ({ path, blocks: codeBlocks(readRepoFile(path)) }));

test('every README code block marked <!-- snippet: PATH --> is exactly the content of PATH', () => {
  const marked = readmes.flatMap(({ path, blocks }) => blocks.filter((b) => b.snippet).map((b) => ({ readme: path, ...b })));
  assert.ok(marked.length > 0, 'the READMEs show snippets');
  for (const block of marked) {
    const where = `${block.readme}:${block.line}`;
    assert.ok(existsSync(join(REPO_ROOT, block.snippet!)), `${where} names ${block.snippet}, which does not exist`);
    assert.equal(block.content, readRepoFile(block.snippet!), `${where} differs from ${block.snippet}`);
  }
});

test('every JavaScript or TypeScript block in a README is a marked snippet (so it is run or compiled)', () => {
  for (const { path, blocks } of readmes) {
    for (const block of blocks.filter((b) => RUNNABLE.has(b.lang))) {
      const where = `${path}:${block.line}`;
      assert.ok(block.snippet, `${where}: a \`${block.lang}\` block without a <!-- snippet: ${SNIPPETS}/NAME.mjs --> (or ${NEST_SNIPPETS}/NAME.ts) line before it`);
      assert.match(block.snippet, SNIPPET_PATH, `${where}: snippets are plain .mjs files of ${SNIPPETS}/, runnable by Node as written, or .ts files of ${NEST_SNIPPETS}/, compiled by tsc -b`);
      const typescript = block.snippet.endsWith('.ts');
      assert.equal(['ts', 'typescript'].includes(block.lang), typescript, `${where}: a ${typescript ? 'TypeScript' : 'JavaScript'} snippet in a \`${block.lang}\` block`);
    }
  }
});

for (const [folder, files] of [[SNIPPETS, snippetFiles], [NEST_SNIPPETS, nestSnippetFiles]] as const) {
  test(`every file in ${folder}/ is shown by some README`, () => {
    assert.ok(files.length > 0, `${folder}/ has files`);
    const shown = new Set(readmes.flatMap(({ blocks }) => blocks.map((b) => b.snippet)));
    for (const file of files) assert.ok(shown.has(file), `${file} is in no README`);
  });
}

test(`the files of ${NEST_SNIPPETS}/ are TypeScript that tsc -b compiles`, () => {
  for (const file of nestSnippetFiles) {
    assert.match(file, /\.ts$/, `${file}: only .ts files belong in ${NEST_SNIPPETS}/`);
    const compiled = file.replace(/^examples\/nest-snippets\/src\//, 'examples/nest-snippets/dist/src/').replace(/\.ts$/, '.js');
    assert.ok(existsSync(join(REPO_ROOT, compiled)), `${file} was not compiled to ${compiled}: is examples/nest-snippets referenced from tsconfig.json?`);
  }
});

test("the README's broker config example is a config the broker accepts", () => {
  const json = codeBlocks(readRepoFile('README.md')).filter((b) => b.lang === 'json');
  assert.equal(json.length, 1, 'one config example');
  const config = resolveConfig(JSON.parse(json[0]!.content));
  assert.equal(config.topics.get('orders')?.queues, 4);
});

let broker: BrokerProcess;
let consoleUrl: string;
before(async () => {
  const httpPort = await freePort();
  broker = await startBrokerProcess({ memory: true, extraArgs: ['--http-port', String(httpPort)] });
  consoleUrl = `http://127.0.0.1:${httpPort}`;
});
after(async () => {
  await broker.dispose();
});

/**
 * Runs `node file` with `env` until it exits: resolves to its exit code (null when a signal ended
 * it) and output, or kills it and rejects when it runs longer than SNIPPET_BOUND_MS.
 */
function runNode(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not exit within ${SNIPPET_BOUND_MS} ms; output:\n${output}`));
    }, SNIPPET_BOUND_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

for (const file of snippetFiles) {
  test(`${file} runs against a real broker and exits 0, writing nothing to the home folder`, async () => {
    const usesPostgres = readRepoFile(file).includes('DATABASE_URL');
    const database = usesPostgres ? await freshDatabase(await testDatabaseUrl(), 'snippet') : undefined;
    const home = await mkdtemp(join(tmpdir(), 'txmq-snippet-home-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, TXMQ_ENDPOINTS: broker.endpoint, TXMQ_CONSOLE: consoleUrl, HOME: home };
      if (database) env.DATABASE_URL = database.url;
      else delete env.DATABASE_URL;
      const { code, output } = await runNode(file, env);
      assert.equal(code, 0, `${file} exited with ${code}; output:\n${output}`);
      assert.deepEqual(readdirSync(home), [], `${file} wrote to the home folder (the official client's default logger writes ~/logs/rocketmq)`);
    } finally {
      await rm(home, { recursive: true, force: true });
      await database?.drop();
    }
  });
}
