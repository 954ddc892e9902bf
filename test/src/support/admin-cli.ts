// Runs `txmq-broker admin ...` as users do (a separate process), recording what was run, so a test
// can tell that every admin command the broker's README shows was run by it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { codeBlocks, readRepoFile, REPO_ROOT } from './readmes.js';

const BIN = join(REPO_ROOT, 'packages/broker/bin/txmq-broker.js');
/** Positionals that name an action rather than a topic, group or id. */
const ACTIONS = new Set(['create', 'update', 'resend', 'list', 'commit', 'rollback']);
/** Options that take no value. */
const FLAGS = new Set(['--fifo', '--no-fifo', '--broadcast', '--no-broadcast', '--parked', '--full-body', '--json', '--help', '--tls']);
/** Options every command takes: not part of a command's shape. */
const COMMON = new Set(['--endpoint', '--json', '--timeout-ms', '--page-size', '--page-token']);

/** What a command line does, without its values: `topics create <arg> --message-type --queues`. */
export function commandShape(args: readonly string[]): string {
  const words: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--')) {
      if (!COMMON.has(arg)) options.push(arg);
      if (!FLAGS.has(arg)) i++;
    } else words.push(words.length === 0 || ACTIONS.has(arg) ? arg : '<arg>');
  }
  return [...words, ...options.sort()].join(' ');
}

/** Runs `txmq-broker ...args` (any command), with `env` added to this process's environment. */
export function runBrokerCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** `txmq-broker admin` against one broker. */
export class AdminCli {
  /** The shapes of the command lines run so far. */
  readonly ran = new Set<string>();

  constructor(private readonly endpoint: () => string) {}

  /** Runs `txmq-broker admin ...args --endpoint <broker>`. */
  run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.runWith({}, ...args);
  }

  /** {@link run} with `env` added to this process's environment (`TXMQ_ACCESS_SECRET`...). */
  runWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    this.ran.add(commandShape(args));
    return new Promise((resolve) => {
      const options = { timeout: 20_000, env: { ...process.env, ...env } };
      execFile(process.execPath, [BIN, 'admin', ...args, '--endpoint', this.endpoint()], options, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
    });
  }

  /** {@link run} with `--json`: stdout must be exactly one JSON document. */
  async json(...args: string[]): Promise<{ code: number; doc: any; stderr: string }> {
    const run = await this.run(...args, '--json');
    let doc: unknown;
    assert.doesNotThrow(() => (doc = JSON.parse(run.stdout)), `${args.join(' ')}: stdout is one JSON document:\n${run.stdout}\n${run.stderr}`);
    return { code: run.code, doc, stderr: run.stderr };
  }

  /** Asserts that every `txmq-broker admin` line the broker README shows under `headings` was run. */
  assertReadmeRan(headings: readonly string[]): void {
    const sections = readmeAdminCommands();
    for (const heading of headings) {
      const lines = sections.get(heading);
      assert.ok(lines && lines.length > 0, `the broker README shows admin commands under "### ${heading}"`);
      for (const line of lines) {
        const shape = commandShape(line.split(/\s+/).slice(2));
        assert.ok(this.ran.has(shape), `README: ${line} (${shape}) was not run; ran: ${[...this.ran].join(' | ')}`);
      }
    }
  }
}

/** The `txmq-broker admin` lines of the `sh` blocks of packages/broker/README.md, by the `###` heading above them. */
export function readmeAdminCommands(): Map<string, string[]> {
  const readme = readRepoFile('packages/broker/README.md');
  const lines = readme.split('\n');
  const sections = new Map<string, string[]>();
  for (const block of codeBlocks(readme).filter((b) => b.lang === 'sh')) {
    const heading = lines.slice(0, block.line).reverse().find((l) => l.startsWith('### '))?.slice(4) ?? '';
    const commands = block.content.split('\n').filter((l) => l.startsWith('txmq-broker admin '));
    sections.set(heading, [...(sections.get(heading) ?? []), ...commands]);
  }
  return sections;
}
