import { EXIT, expectPositionals, isoTimeOption, UsageError, type AdminCommand } from './command.js';
import { printJson, printTable } from './output.js';

/** `txmq-broker admin reset GROUP --to TIME|end`: moves a group's position. */
export const RESET_COMMAND: AdminCommand = {
  name: 'reset',
  usage: `usage:
  txmq-broker admin reset GROUP --to TIME|end [--topic TOPIC]
Moves GROUP to the first message stored at or after TIME (ISO-8601, e.g. 2026-01-31T12:00:00Z; without a zone,
and a date alone, local time), or past the
last stored message (end): on every topic it consumes, or on TOPIC only. What it held in flight there is dropped;
its consumers receive from the new position.`,
  options: { to: { type: 'string' }, topic: { type: 'string' } },
  async run(run) {
    expectPositionals(run.positionals, 1, 'consumer group');
    const group = run.positionals[0]!;
    const toText = run.values.to;
    if (toText === undefined) throw new UsageError('missing --to TIME|end');
    const to = toText === 'end' ? 'end' : isoTimeOption(run.values, 'to')!;
    const topic = typeof run.values.topic === 'string' ? run.values.topic : undefined;
    const result = await run.admin().resetGroup(group, to, topic === undefined ? {} : { topic });
    if (run.json) printJson(run.io, result);
    else {
      run.io.out(`consumer group ${result.group} reset to ${to === 'end' ? 'the end' : to.toISOString()}`);
      if (result.subscriptions.length === 0) run.io.out('it had no subscription to move');
      else printTable(run.io, ['TOPIC', 'CONSUMER', 'FROM OFFSET', 'TO OFFSET'], result.subscriptions.map((s) => [s.topic, s.consumer, String(s.from), String(s.to)]));
    }
    return EXIT.done;
  },
};
