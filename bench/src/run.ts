// `npm run bench` (quick profile) / `npm run bench -- --full`: every part, one table, bench/results/latest.json.
// Options: --parts=throughput,latency  --out=file.json  --<setting>=<number> (see profile.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARTS } from './parts/index.js';
import { parseArgs } from './profile.js';
import { Results } from './report/results.js';
import { SYSTEMS } from './report/systems.js';
import { renderReport } from './report/table.js';
import { checkTargets } from './report/targets.js';

const { profile, parts: only, systems, out } = parseArgs(process.argv.slice(2));
const unknown = only?.filter((name) => !PARTS.some((p) => p.name === name)) ?? [];
if (unknown.length > 0) throw new Error(`unknown part(s) ${unknown.join(', ')}; parts: ${PARTS.map((p) => p.name).join(', ')}`);
const selected = PARTS.filter((p) => (only ? only.includes(p.name) : !p.fullOnly || profile.name === 'full'));
const log = (line: string) => console.error(`[bench ${((performance.now() - began) / 1000).toFixed(0)} s] ${line}`);

const began = performance.now();
const date = new Date().toISOString();
const loadAtStart = loadavg();
const results = new Results();
log(`${profile.name} profile, parts: ${selected.map((p) => p.name).join(', ')}`);
for (const part of selected) {
  const recorder = results.forPart(part.name);
  try {
    await part.run({ profile, results: recorder, log, wants: (system) => systems === undefined || systems.includes(system) });
  } catch (error) {
    recorder.skip('txmq', `part failed: ${(error as Error).message}`);
    log(`${part.name} failed: ${(error as Error).stack}`);
  }
}

const figures = results.figures();
const targets = checkTargets((id, system) => results.get(id, system));
const skipped = results.skipped();
const seconds = (performance.now() - began) / 1000;
const ratios = Object.fromEntries(figures.filter((f) => Object.keys(f.values).length > 1).map((f) => [f.id, Object.fromEntries(SYSTEMS.flatMap(({ key }) => {
  const own = f.values.txmq;
  const other = f.values[key];
  return key === 'txmq' || own === undefined || other === undefined || other === 0 ? [] : [[key, own / other]];
}))]));

console.log(`\ntxmq bench, ${profile.name} profile, ${date}, node ${process.version}, ${cpus().length} cores, load average ${loadAtStart[0]!.toFixed(1)} at start and ${loadavg()[0]!.toFixed(1)} at end, ${seconds.toFixed(0)} s`);
console.log(renderReport(figures, targets, skipped));

const file = out ?? fileURLToPath(new URL('../results/latest.json', import.meta.url));
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify({
  date,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cores: cpus().length,
  loadAverage: { start: loadAtStart, end: loadavg() },
  profile: profile.name,
  settings: profile,
  parts: selected.map((p) => p.name),
  durationSeconds: Math.round(seconds),
  systems: SYSTEMS,
  figures,
  ratios,
  // Unchecked targets keep their keys (null), so readers need not tell "missing" from "not met".
  targets: targets.map((t) => ({ ...t, value: t.value ?? null, met: t.met ?? null })),
  skipped,
}, null, 2)}\n`);
console.log(`\nwritten: ${file}`);
// Clients that keep timers (the official client's heartbeats) must not hold the process.
process.exit(0);
