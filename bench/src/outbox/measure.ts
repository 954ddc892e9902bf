import { readFileSync } from 'node:fs';

/** Runs `body` `n` times on `concurrency` workers; returns transactions per second and machine CPU µs per transaction. */
export async function timeTransactions(
  n: number,
  concurrency: number,
  body: (i: number) => Promise<unknown>,
): Promise<{ perSecond: number; cpuMicros: number }> {
  let next = 0;
  const cpuBefore = machineBusyMicros();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await body(next++);
  }));
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: n / seconds, cpuMicros: (machineBusyMicros() - cpuBefore) / n };
}

/**
 * Runs `a` on `perSide` workers and `b` on as many others for `ms`, at the same time; returns how
 * many transactions `a` completed per transaction of `b`.
 */
export async function sideBySide(
  ms: number,
  perSide: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
): Promise<number> {
  const end = performance.now() + ms;
  let next = 0;
  const counts: [number, number] = [0, 0];
  const worker = async (side: 0 | 1) => {
    const run = side === 0 ? a : b;
    while (performance.now() < end) {
      await run(next++);
      counts[side] += 1;
    }
  };
  await Promise.all(Array.from({ length: perSide * 2 }, (_, k) => worker(k % 2 === 0 ? 0 : 1)));
  return counts[0] / counts[1];
}

/**
 * CPU time every process on the machine has used so far (Postgres and this process alike), from
 * /proc/stat, in µs; 0 where there is no /proc. Fsync waits and idle cores do not count, so this
 * is steadier than wall time on a noisy machine.
 */
export function machineBusyMicros(): number {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  } catch {
    return 0;
  }
  // cpu  user nice system idle iowait irq softirq steal ...; ticks are 1/100 s on Linux
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) * 10_000;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The `q` quantile of `values`, interpolated. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] as number;
  const high = sorted[Math.ceil(at)] as number;
  return low + (high - low) * (at - Math.floor(at));
}
