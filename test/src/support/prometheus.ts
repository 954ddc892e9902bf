// Reads a `/metrics` page with a Prometheus text-format parser (parse-prometheus-text-format),
// not with the library that wrote it, so a test checks what Prometheus itself would read.
import { createRequire } from 'node:module';

/** One sample of a family: a value, or for a histogram its buckets, count and sum. */
export interface PrometheusSample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value?: string;
  readonly buckets?: Readonly<Record<string, string>>;
  readonly count?: string;
  readonly sum?: string;
}

/** A metric family as the parser gives it. */
export interface PrometheusFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: readonly PrometheusSample[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PrometheusFamily[];

/** The families of a text exposition, by name. */
export function parsePrometheus(text: string): Map<string, PrometheusFamily> {
  return new Map(parse(text).map((family) => [family.name, family]));
}

/** GETs `url` and parses it. */
export async function scrape(url: string): Promise<Map<string, PrometheusFamily>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return parsePrometheus(await response.text());
}

/**
 * The sample of family `name` whose labels are exactly `labels`; its value as a number (a
 * histogram's count). Undefined when there is none.
 */
export function sampleValue(families: ReadonlyMap<string, PrometheusFamily>, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const sample = families.get(name)?.metrics.find((s) => JSON.stringify(Object.entries(s.labels ?? {}).sort()) === wanted);
  if (!sample) return undefined;
  return Number(sample.value ?? sample.count);
}
