import { startBrokerProcess } from '../broker-process.js';
import type { Part } from './part.js';

/** What the runner passes to `bench/src/filter-throughput.ts`. */
export interface FilterBenchOptions {
  /** A txmq broker process started for it (fresh, durable store). */
  readonly endpoint: string;
  readonly messages: number;
  readonly inFlight: number;
  readonly profile: 'quick' | 'full';
}

/** One figure a filter benchmark reports (`unit` defaults to msg/s). */
export interface FilterFigure {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  readonly unit?: string;
}

type FilterBench = (options: FilterBenchOptions) => Promise<number | readonly FilterFigure[] | Readonly<Record<string, number>>>;

/**
 * SQL92 filter throughput, when `bench/src/filter-throughput.ts` exists: it exports
 * `filterThroughput(options: FilterBenchOptions)` (or a default export) resolving to msg/s, a list
 * of {@link FilterFigure}s, or a record of label → msg/s. Without that file the part reports that
 * it is absent and records nothing.
 */
export const filterPart: Part = {
  name: 'filter',
  async run({ profile, results, log }) {
    let bench: FilterBench | undefined;
    try {
      const module = (await import(new URL('../filter-throughput.js', import.meta.url).href)) as Record<string, unknown>;
      const candidate = module.filterThroughput ?? module.default ?? Object.values(module).find((v) => typeof v === 'function');
      if (typeof candidate === 'function') bench = candidate as FilterBench;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
    if (!bench) {
      log('filter: bench/src/filter-throughput.ts is not present; no filter figure');
      return;
    }
    const broker = await startBrokerProcess();
    try {
      const answer = await bench({ endpoint: broker.endpoint, messages: profile.messages, inFlight: profile.inFlight, profile: profile.name });
      const figures: FilterFigure[] = typeof answer === 'number'
        ? [{ id: 'filter_msg_s', label: 'consume through an SQL92 filter', value: answer }]
        : Array.isArray(answer)
          ? [...(answer as readonly FilterFigure[])]
          : Object.entries(answer).map(([label, value], i) => ({ id: `filter_${i}`, label, value: value as number }));
      for (const f of figures) {
        const id = f.id.startsWith('filter') ? f.id : `filter_${f.id}`;
        results.set(id, f.label, f.unit ?? 'msg/s', 'txmq', f.value);
        log(`filter: ${f.label} ${f.value.toFixed(0)} ${f.unit ?? 'msg/s'}`);
      }
    } finally {
      await broker.stop();
    }
  },
};
