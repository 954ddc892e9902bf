/** Sizes and knobs of one run. Every numeric field can be overridden: `--inFlight=128`. */
export interface Profile {
  readonly name: 'quick' | 'full';
  /** Messages per system in the throughput part (after `warmup` more). */
  readonly messages: number;
  readonly warmup: number;
  /** Longest a system publishes in the throughput part (s; 0: no cap): a slow system stops early, measured on what it sent. */
  readonly publishSeconds: number;
  /** Publishes awaiting their durable confirmation at once; unacknowledged deliveries at once. */
  readonly inFlight: number;
  /** Simple-consumer receive loops (each receives up to `receiveBatch` and acks each message). */
  readonly receiveLoops: number;
  readonly receiveBatch: number;
  /** Producer batch caps of the typed client (0: its defaults). */
  readonly maxBatchMessages: number;
  readonly maxBatchBytes: number;
  /** Push-consumer knobs of the typed client (0: its defaults). */
  readonly pushConcurrency: number;
  readonly pushReceiveBatchSize: number;
  readonly pushParallelReceives: number;
  /** End-to-end latency: paced rate (msg/s), measured seconds, warm-up seconds before them. */
  readonly latencyRate: number;
  readonly latencySeconds: number;
  readonly latencyWarmupSeconds: number;
  /** Unconsumed messages stored before the broker's RSS is read. */
  readonly backlog: number;
  /** Longest the backlog is filled (s; 0: no cap); the table names how many were stored. */
  readonly backlogSeconds: number;
  /** Messages consumed from the empty broker and from the backlog. */
  readonly backlogConsume: number;
  /** Business transactions (user row + outbox row) timed to get Postgres's rate, and on how many connections. */
  readonly pgTransactions: number;
  readonly pgConnections: number;
  /** Longest the business transactions run (s; 0: no cap). */
  readonly pgSeconds: number;
  /** Committed outbox rows the relay drains, and the longest it is timed (s; 0: until drained). */
  readonly relayRows: number;
  readonly relaySeconds: number;
  /** Commit → handler latency: paced tx/s, measured seconds, warm-up seconds. */
  readonly commitRate: number;
  readonly commitSeconds: number;
  readonly commitWarmupSeconds: number;
  /** Plain and half-message sends (each, alternating, one at a time), and the longest they run (s; 0: no cap). */
  readonly halfMessages: number;
  readonly halfSeconds: number;
}

/** Under 5 minutes on a 2-core machine, peers included. */
export const QUICK: Profile = {
  name: 'quick',
  messages: 10_000,
  warmup: 1_000,
  publishSeconds: 10,
  inFlight: 256,
  receiveLoops: 8,
  receiveBatch: 32,
  maxBatchMessages: 0,
  maxBatchBytes: 0,
  pushConcurrency: 0,
  pushReceiveBatchSize: 0,
  pushParallelReceives: 0,
  latencyRate: 500,
  latencySeconds: 5,
  latencyWarmupSeconds: 1,
  backlog: 100_000,
  backlogSeconds: 30,
  backlogConsume: 5_000,
  pgTransactions: 5_000,
  pgConnections: 16,
  pgSeconds: 8,
  relayRows: 10_000,
  relaySeconds: 15,
  commitRate: 1_000,
  commitSeconds: 5,
  commitWarmupSeconds: 1,
  halfMessages: 500,
  halfSeconds: 10,
};

/** The sizes: a 1,000,000-message backlog, longer latency windows. */
export const FULL: Profile = {
  ...QUICK,
  name: 'full',
  messages: 50_000,
  warmup: 2_000,
  publishSeconds: 0,
  latencySeconds: 20,
  latencyWarmupSeconds: 2,
  backlog: 1_000_000,
  backlogSeconds: 0,
  backlogConsume: 50_000,
  pgTransactions: 20_000,
  pgSeconds: 0,
  relayRows: 100_000,
  relaySeconds: 0,
  commitSeconds: 20,
  commitWarmupSeconds: 2,
  halfMessages: 3_000,
  halfSeconds: 0,
};

/** Run options from the command line: `--full`, `--parts=a,b`, `--systems=a,b`, `--out=file`, `--<field>=<number>`. */
export interface RunOptions {
  readonly profile: Profile;
  /** Parts to run (all when undefined). */
  readonly parts: readonly string[] | undefined;
  /** Systems the peer parts measure (all when undefined): `--systems=txmq,nats`. */
  readonly systems: readonly string[] | undefined;
  readonly out: string | undefined;
}

/** Parses the bench's arguments; throws naming an unknown or malformed one. */
export function parseArgs(argv: readonly string[]): RunOptions {
  let profile: Profile = argv.includes('--full') ? FULL : QUICK;
  let parts: string[] | undefined;
  let systems: string[] | undefined;
  let out: string | undefined;
  for (const arg of argv) {
    if (arg === '--full' || arg === '--quick') continue;
    const match = /^--([A-Za-z]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)} (use --full, --parts=a,b, --out=file, --<setting>=<number>)`);
    const [, key, value] = match as unknown as [string, string, string];
    if (key === 'parts') parts = value.split(',').filter((p) => p !== '');
    else if (key === 'systems') systems = value.split(',').filter((p) => p !== '');
    else if (key === 'out') out = value;
    else if (key in profile && key !== 'name') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} must be a non-negative number, got ${JSON.stringify(value)}`);
      profile = { ...profile, [key]: n };
    } else throw new Error(`unknown setting --${key}; settings: ${Object.keys(profile).filter((k) => k !== 'name').join(', ')}`);
  }
  return { profile, parts, systems, out };
}

/** The `performance.now()` time `seconds` from now, or no limit for 0. */
export function deadline(seconds: number): number {
  return seconds > 0 ? performance.now() + seconds * 1000 : Number.POSITIVE_INFINITY;
}
