import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Results } from '../report/results.js';
import { formatValue, markdownTable, renderReport } from '../report/table.js';
import { checkTargets } from '../report/targets.js';

function sample(): Results {
  const results = new Results();
  const throughput = results.forPart('throughput');
  throughput.set('publish_msg_s', 'publish', 'msg/s', 'txmq', 40_000);
  throughput.set('publish_msg_s', 'publish', 'msg/s', 'nats', 35_000);
  throughput.set('publish_msg_s', 'publish', 'msg/s', 'rabbitClassic', 25_000);
  throughput.skip('rabbitQuorum', 'cannot set up: connection refused');
  results.forPart('backlog').set('backlog_stored', 'stored', 'messages', 'txmq', 100_000);
  results.forPart('backlog').set('rss_backlog_mb', 'RSS', 'MB', 'txmq', 120);
  return results;
}

test('targets compare txmq with the peer the issue names, and say what they could not check', () => {
  const results = sample();
  const checks = checkTargets((id, system) => results.get(id, system));
  const byId = new Map(checks.map((c) => [c.id, c]));
  assert.equal(byId.get('publish-vs-nats')?.met, true);
  assert.ok(Math.abs((byId.get('publish-vs-nats')?.value ?? 0) - 40 / 35) < 1e-9);
  assert.equal(byId.get('publish-vs-rabbit')?.met, false); // 1.6× < 2×
  assert.equal(byId.get('consume-vs-nats')?.met, undefined);
  assert.equal(byId.get('backlog-rss')?.met, true);
  assert.match(byId.get('backlog-rss')?.note ?? '', /100,000 messages, not 1,000,000/);
});

test('the table has a column per system, skipped and absent cells, and the targets on their rows', () => {
  const results = sample();
  const text = renderReport(results.figures(), checkTargets((id, system) => results.get(id, system)), results.skipped());
  const lines = text.split('\n');
  assert.match(lines[0]!, /^\| figure +\| txmq +\| txmq \(official client\) +\| NATS JetStream +\| RabbitMQ classic +\| RabbitMQ quorum +\| target +\| measured +\| met +\|$/);
  const publish = lines.find((l) => l.startsWith('| publish (msg/s)'))!.split('|').map((c) => c.trim());
  assert.deepEqual(publish.slice(2, 7), ['40,000', '—', '35,000', '25,000', 'skipped']);
  assert.equal(publish[7], 'publish ≥ 1.0× JetStream; publish ≥ 2× RabbitMQ classic');
  assert.equal(publish[8], '1.14×; 1.60×');
  assert.equal(publish[9], 'yes; no');
  assert.ok(lines.includes('skipped RabbitMQ quorum in throughput: cannot set up: connection refused'));
  assert.ok(lines.includes('not measured: consume ≥ 1.0× JetStream'));
  const widths = new Set(lines.filter((l) => l.startsWith('|')).map((l) => l.length));
  assert.equal(widths.size, 1);
});

test('formatValue keeps 2–3 significant digits for small values and separates thousands', () => {
  assert.equal(formatValue(35553.4, 'msg/s'), '35,553');
  assert.equal(formatValue(17.84, 'ms'), '17.8');
  assert.equal(formatValue(1.894, 'ms'), '1.89');
  assert.equal(formatValue(0.145, '×'), '0.14×');
  assert.equal(formatValue(1169.86, '×'), '1,170×');
  assert.equal(formatValue(Number.NaN, 'ms'), 'n/a');
});

test('markdownTable pads every column to its widest cell', () => {
  assert.equal(markdownTable(['a', 'bb'], [['ccc', 'd']]), '| a   | bb |\n|-----|----|\n| ccc | d  |');
});
