import type { Part } from './part.js';

/** What the runner passes to `bench/src/filter-throughput.ts`'s `filterThroughput`. */
export interface FilterBenchOptions {
  readonly messages: number;
}

/** What `filterThroughput` reports (the fields the table shows; others are ignored). */
export interface FilterBenchResult {
  /** Matching messages received per second through the tag filter that matches half. */
  readonly tagPerSecond: number;
  /** The same through the SQL92 filter that matches the same half. */
  readonly sqlPerSecond: number;
}

type FilterBench = (options: FilterBenchOptions) => Promise<FilterBenchResult>;

/**
 * SQL92 filter throughput against a tag filter, when `bench/src/filter-throughput.ts` exists and
 * exports `filterThroughput(options)` resolving to {@link FilterBenchResult} (it runs its own
 * broker). Without that file the part says so and records nothing.
 */
export const filterPart: Part = {
  name: 'filter',
  async run({ profile, results, log }) {
    let bench: FilterBench | undefined;
    try {
      const module = (await import(new URL('../filter-throughput.js', import.meta.url).href)) as { filterThroughput?: unknown };
      if (typeof module.filterThroughput === 'function') bench = module.filterThroughput as FilterBench;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
    if (!bench) {
      log('filter: bench/src/filter-throughput.ts (exporting filterThroughput) is not present; no filter figure');
      return;
    }
    const { tagPerSecond, sqlPerSecond } = await bench({ messages: profile.messages });
    results.set('filter_tag_msg_s', 'receive through a tag filter matching half', 'msg/s', 'txmq', tagPerSecond);
    results.set('filter_sql_msg_s', 'receive through an SQL92 filter matching the same half', 'msg/s', 'txmq', sqlPerSecond);
    log(`filter: tag ${tagPerSecond.toFixed(0)} msg/s, SQL92 ${sqlPerSecond.toFixed(0)} msg/s`);
  },
};
