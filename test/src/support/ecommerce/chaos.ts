import { setTimeout as sleep } from 'node:timers/promises';
import type { SeededRandom } from '../seeded-random.js';
import type { ExampleProcess } from './example-process.js';
import { register, type Registration } from './register.js';

/** One crash of the plan: SIGKILL `target` when registration `at` starts, start it again `downMs` later. */
export interface Kill {
  readonly at: number;
  readonly target: string;
  readonly downMs: number;
}

/**
 * A crash plan: `kills[target]` crashes of each target at random registrations of
 * `registrations` (not the first or last few, so the load runs before and after), each down for
 * up to `maxDownMs`.
 */
export function chaosPlan(random: SeededRandom, kills: Readonly<Record<string, number>>, registrations: number, maxDownMs: number): Kill[] {
  const plan: Kill[] = [];
  for (const [target, count] of Object.entries(kills)) {
    for (let k = 0; k < count; k++) plan.push({ at: random.int(5, registrations - 10), target, downMs: random.int(0, maxDownMs) });
  }
  return plan.sort((a, b) => a.at - b.at);
}

export interface LoadOptions {
  readonly accountUrl: string;
  /** The processes the plan names, by name; `account` must be among them. */
  readonly processes: ReadonlyMap<string, ExampleProcess>;
  readonly registrations: number;
  readonly concurrency: number;
  /** Pause of each client between its registrations: it spreads the load over time, so the crashes land among it. */
  readonly paceMs: number;
  readonly plan: readonly Kill[];
  /** Email of registration `i`. */
  readonly email: (i: number) => string;
  readonly log: (line: string) => void;
}

/**
 * Registers `registrations` users over HTTP from `concurrency` clients while the plan's crashes
 * happen, and resolves with how each `POST /users` ended once every crashed process is back. A
 * client whose POST failed waits until every crashed process is back (the registration counts as
 * failed: the test checks it is either complete or absent).
 */
export async function runLoad(options: LoadOptions): Promise<Registration[]> {
  const results: Registration[] = [];
  const back = new Map<string, Promise<void>>();
  const crash = (kill: Kill) => {
    const process = options.processes.get(kill.target);
    if (process === undefined) throw new Error(`the plan names ${kill.target}, which is not running`);
    const previous = back.get(kill.target) ?? Promise.resolve();
    back.set(
      kill.target,
      previous.then(async () => {
        await process.kill();
        options.log(`registration ${kill.at}: killed ${kill.target}, restarting in ${kill.downMs} ms`);
        await sleep(kill.downMs);
        await process.start();
        options.log(`${kill.target} is back`);
      }),
    );
  };
  let next = 0;
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= options.registrations) return;
      for (const kill of options.plan) if (kill.at === i) crash(kill);
      const result = await register(options.accountUrl, options.email(i), `User ${i}`);
      results.push(result);
      // Down, or unable to reach the broker: wait until every crashed process is back.
      if (result.outcome !== 'created') await Promise.all(back.values());
      await sleep(options.paceMs);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  await Promise.all(back.values());
  return results;
}
