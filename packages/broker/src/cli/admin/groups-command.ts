import type { GroupInfo, GroupUpdate } from '../../client/admin-types.js';
import type { CommandIo } from '../io.js';
import { EXIT, expectPositionals, intOption, PAGE_OPTIONS, PAGE_USAGE, pageOptions, positiveNumberOption, refuseOptions, UsageError, type AdminCommand, type AdminRun } from './command.js';
import { groupJson, pageJson } from './json-views.js';
import { printFields, printJson, printMore, printTable } from './output.js';

/** `txmq-broker admin groups`: list (with lag), describe, create and update consumer groups. */
export const GROUPS_COMMAND: AdminCommand = {
  name: 'groups',
  usage: `usage:
  txmq-broker admin groups [--page-size N] [--page-token TOKEN]     list groups with lag, in-flight, online consumers, DLQ size
  txmq-broker admin groups NAME                                      one group, per topic (and per consumer of a broadcast group)
  txmq-broker admin groups create NAME [settings]
  txmq-broker admin groups update NAME settings
Settings:
  --fifo | --no-fifo                 deliver each message group in order
  --broadcast | --no-broadcast       every consumer gets every message
  --max-delivery-attempts N          before a message goes to %DLQ%NAME
  --retry-initial-ms N, --retry-max-ms N, --retry-multiplier X   the backoff between attempts
${PAGE_USAGE}`,
  options: {
    describe: { type: 'string' },
    fifo: { type: 'boolean' },
    'no-fifo': { type: 'boolean' },
    broadcast: { type: 'boolean' },
    'no-broadcast': { type: 'boolean' },
    'max-delivery-attempts': { type: 'string' },
    'retry-initial-ms': { type: 'string' },
    'retry-max-ms': { type: 'string' },
    'retry-multiplier': { type: 'string' },
    ...PAGE_OPTIONS,
  },
  async run(run) {
    const { positionals, values } = run;
    const [first, name] = positionals;
    if (first === 'create' || first === 'update') {
      expectPositionals(positionals, 2, 'group name');
      refuseOptions(values, ['describe', 'page-size', 'page-token'], first);
      const settings = groupSettings(run);
      if (first === 'update' && Object.keys(settings).length === 0) throw new UsageError('update needs at least one setting');
      const group = first === 'create' ? await run.admin().createGroup(name!, settings) : await run.admin().updateGroup(name!, settings);
      if (run.json) printJson(run.io, groupJson(group));
      else {
        run.io.out(`consumer group ${group.name} ${first === 'create' ? 'created' : 'updated'}`);
        printGroup(run.io, group);
      }
      return EXIT.done;
    }
    if (Object.keys(groupSettings(run)).length > 0) throw new UsageError('settings go with create or update');
    const byOption = typeof values.describe === 'string';
    expectPositionals(positionals, byOption ? 0 : Math.min(positionals.length, 1), 'group name');
    const describe = byOption ? (values.describe as string) : first;
    if (describe !== undefined) {
      refuseOptions(values, ['page-size', 'page-token'], 'one group');
      const group = await run.admin().describeGroup(describe);
      if (run.json) printJson(run.io, groupJson(group));
      else printGroup(run.io, group);
      return EXIT.done;
    }
    const page = await run.admin().listGroups(pageOptions(values));
    if (run.json) printJson(run.io, pageJson(page, groupJson));
    else if (page.items.length === 0) run.io.out('no consumer groups');
    else {
      printTable(
        run.io,
        ['NAME', 'TYPE', 'ONLINE', 'LAG', 'IN FLIGHT', 'DLQ', 'MAX ATTEMPTS', 'ORIGIN'],
        page.items.map((g) => [g.name, groupType(g), String(g.consumersOnline), String(g.lag), String(g.inFlight), String(g.deadLetters), String(g.maxDeliveryAttempts), g.origin]),
      );
      printMore(run.io, page.nextPageToken);
    }
    return EXIT.done;
  },
};

function groupType(group: GroupInfo): string {
  return [group.fifo ? 'fifo' : 'concurrent', ...(group.broadcast ? ['broadcast'] : [])].join(',');
}

function flag(values: AdminRun['values'], name: string): boolean | undefined {
  const on = values[name] === true;
  const off = values[`no-${name}`] === true;
  if (on && off) throw new UsageError(`--${name} and --no-${name} contradict each other`);
  return on ? true : off ? false : undefined;
}

function groupSettings({ values }: AdminRun): GroupUpdate {
  const fifo = flag(values, 'fifo');
  const broadcast = flag(values, 'broadcast');
  const maxDeliveryAttempts = intOption(values, 'max-delivery-attempts', 1);
  const initialMs = intOption(values, 'retry-initial-ms', 0);
  const maxMs = intOption(values, 'retry-max-ms', 0);
  const multiplier = positiveNumberOption(values, 'retry-multiplier');
  const retryBackoff = { ...(initialMs !== undefined && { initialMs }), ...(maxMs !== undefined && { maxMs }), ...(multiplier !== undefined && { multiplier }) };
  return {
    ...(fifo !== undefined && { fifo }),
    ...(broadcast !== undefined && { broadcast }),
    ...(maxDeliveryAttempts !== undefined && { maxDeliveryAttempts }),
    ...(Object.keys(retryBackoff).length > 0 && { retryBackoff }),
  };
}

function printGroup(io: CommandIo, group: GroupInfo): void {
  io.out(`consumer group ${group.name}`);
  const { initialMs, maxMs, multiplier } = group.retryBackoff;
  printFields(io, [
    ['type', groupType(group)],
    ['consumers online', String(group.consumersOnline)],
    ['lag', String(group.lag)],
    ['in flight', String(group.inFlight)],
    ['dead letters', `${group.deadLetters} (in %DLQ%${group.name})`],
    ['max attempts', String(group.maxDeliveryAttempts)],
    ['retry backoff', `${initialMs} ms, x${multiplier}, at most ${maxMs} ms`],
    ['settings from', group.origin],
  ]);
  if (group.subscriptions.length === 0) {
    io.out('no subscriptions yet');
    return;
  }
  printTable(
    io,
    ['TOPIC', 'CONSUMER', 'NEXT OFFSET', 'END OFFSET', 'LAG', 'IN FLIGHT'],
    group.subscriptions.map((s) => [s.topic, s.consumer, String(s.nextOffset), String(s.endOffset), String(s.lag), String(s.inFlight)]),
  );
}
