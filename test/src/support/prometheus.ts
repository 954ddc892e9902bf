// Reads a `/metrics` page with a Prometheus text-format parser (prom2javascript), not with the
// library that wrote it, so a test checks what a scraper reads.
import { Readable } from 'node:stream';
import { getMetricsFromStream, type PromHistogramData, type PromMetric, type PromMetrics } from 'prom2javascript';

export type { PromMetric, PromMetrics };

/** Parses a text exposition into its metric families, by name. */
export function parsePrometheus(text: string): Promise<PromMetrics> {
  return getMetricsFromStream(Readable.from([text]));
}

/** GETs `url` and parses it. */
export async function scrape(url: string): Promise<PromMetrics> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return parsePrometheus(await response.text());
}

function sameLabels(actual: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(actual);
  return keys.length === Object.keys(wanted).length && keys.every((key) => actual[key] === wanted[key]);
}

/** The series of family `name` whose labels are exactly `labels` (undefined when there is none). */
export function series(families: PromMetrics, name: string, labels: Readonly<Record<string, string>> = {}) {
  return (families[name]?.data as readonly { labels: Record<string, string> }[] | undefined)?.find((s) => sameLabels(s.labels, labels));
}

/** The value of a counter's or gauge's series, or a histogram's count. */
export function sampleValue(families: PromMetrics, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const found = series(families, name, labels) as { value?: number; count?: number } | undefined;
  return found && (found.value ?? found.count);
}

/** A histogram's series (buckets, count, sum). */
export function histogram(families: PromMetrics, name: string, labels: Readonly<Record<string, string>>): PromHistogramData | undefined {
  return series(families, name, labels) as PromHistogramData | undefined;
}
