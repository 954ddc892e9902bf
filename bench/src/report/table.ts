import type { Figure, Skip } from './results.js';
import { SYSTEMS, type SystemKey } from './systems.js';

const systemLabel = (key: string) => SYSTEMS.find((s) => s.key === key)?.name ?? key;
import type { TargetCheck } from './targets.js';

/** A number for the table: thousands separated for rates, 2–3 significant digits for small values. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === '×') return Math.abs(value) >= 100 ? `${Math.round(value).toLocaleString('en-US')}×` : `${value.toFixed(2)}×`;
  if (unit === 'messages') return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function targetCells(checks: readonly TargetCheck[]): [string, string, string] {
  if (checks.length === 0) return ['', '', ''];
  const limit = (c: TargetCheck) => c.text;
  const measured = (c: TargetCheck) => (c.value === undefined ? 'n/a' : `${formatValue(c.value, c.unit)}${c.unit === '×' ? '' : ` ${c.unit}`}`);
  const met = (c: TargetCheck) => (c.met === undefined ? 'n/a' : c.met ? 'yes' : 'no') + (c.note ? '*' : '');
  return [checks.map(limit).join('; '), checks.map(measured).join('; '), checks.map(met).join('; ')];
}

/** Lays `rows` out as a Markdown table under `header`, columns padded to one width. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * The one table of a run: a row per figure, a column per system, and the targets on the rows of
 * the figures they judge. A system skipped in a part shows `skipped` on that part's rows; a figure a
 * system does not have shows `—`. Skips and notes follow the table.
 */
export function renderReport(figures: readonly Figure[], targets: readonly TargetCheck[], skipped: readonly Skip[]): string {
  const skippedIn = (system: SystemKey, part: string) => skipped.some((s) => s.system === system && (s.part === part || s.part === '*'));
  const header = ['figure', ...SYSTEMS.map((s) => s.name), 'target', 'measured', 'met'];
  const rows = figures.map((f) => {
    const cells = SYSTEMS.map(({ key }) => {
      const value = f.values[key];
      if (value !== undefined) return formatValue(value, f.unit);
      return skippedIn(key, f.part) ? 'skipped' : '—';
    });
    return [`${f.label} (${f.unit})`, ...cells, ...targetCells(targets.filter((t) => t.row === f.id))];
  });
  const out = [markdownTable(header, rows)];
  const orphans = targets.filter((t) => !figures.some((f) => f.id === t.row));
  for (const t of orphans) out.push(`not measured: ${t.text}`);
  for (const t of targets) if (t.note) out.push(`* ${t.text}: ${t.note}`);
  for (const f of figures) if (f.note) out.push(`${f.label}: ${f.note}`);
  for (const s of skipped) out.push(`skipped ${systemLabel(s.system)}${s.part === '*' ? '' : ` in ${s.part}`}: ${s.reason}`);
  return out.join('\n');
}
