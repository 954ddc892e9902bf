import type { AdminMessageType, TopicInfo, TopicUpdate } from '../../client/admin-types.js';
import type { CommandIo } from '../io.js';
import { EXIT, expectPositionals, intOption, PAGE_OPTIONS, PAGE_USAGE, pageOptions, refuseOptions, UsageError, type AdminCommand, type AdminRun } from './command.js';
import { pageJson, topicJson } from './json-views.js';
import { isoOrDash, printFields, printJson, printMore, printTable } from './output.js';

const MESSAGE_TYPES: readonly AdminMessageType[] = ['NORMAL', 'FIFO', 'DELAY', 'TRANSACTION', 'MIXED'];

/** `txmq-broker admin topics`: list, describe, create and update topics. */
export const TOPICS_COMMAND: AdminCommand = {
  name: 'topics',
  usage: `usage:
  txmq-broker admin topics [--page-size N] [--page-token TOKEN]     list topics
  txmq-broker admin topics --describe NAME                           one topic
  txmq-broker admin topics create NAME [--queues N] [--message-type TYPE]
  txmq-broker admin topics update NAME [--queues N] [--message-type TYPE]
Options:
  --queues N            message queues, 1 to 64 (create: the broker's default)
  --message-type TYPE   NORMAL, FIFO, DELAY, TRANSACTION or MIXED (create: default NORMAL)
${PAGE_USAGE}`,
  options: { describe: { type: 'string' }, queues: { type: 'string' }, 'message-type': { type: 'string' }, ...PAGE_OPTIONS },
  async run(run) {
    const { values, positionals } = run;
    const [action, name] = positionals;
    if (action === 'create' || action === 'update') {
      expectPositionals(positionals, 2, 'topic name');
      refuseOptions(values, ['describe', 'page-size', 'page-token'], action);
      const settings = topicSettings(run);
      if (action === 'update' && Object.keys(settings).length === 0) throw new UsageError('update needs --queues or --message-type');
      const topic = action === 'create' ? await run.admin().createTopic(name!, settings) : await run.admin().updateTopic(name!, settings);
      if (run.json) printJson(run.io, topicJson(topic));
      else {
        run.io.out(`topic ${topic.name} ${action === 'create' ? 'created' : 'updated'}`);
        printTopic(run.io, topic);
      }
      return EXIT.done;
    }
    if (action !== undefined) throw new UsageError(`unknown action ${JSON.stringify(action)} (create or update; to describe a topic: --describe NAME)`);
    if (values.queues !== undefined || values['message-type'] !== undefined) throw new UsageError('--queues and --message-type go with create or update');
    if (typeof values.describe === 'string') {
      refuseOptions(values, ['page-size', 'page-token'], '--describe');
      const topic = await run.admin().describeTopic(values.describe);
      if (run.json) printJson(run.io, topicJson(topic));
      else {
        run.io.out(`topic ${topic.name}`);
        printTopic(run.io, topic);
      }
      return EXIT.done;
    }
    const page = await run.admin().listTopics(pageOptions(values));
    if (run.json) printJson(run.io, pageJson(page, topicJson));
    else if (page.items.length === 0) run.io.out('no topics');
    else {
      printTable(
        run.io,
        ['NAME', 'QUEUES', 'TYPE', 'ORIGIN', 'FIRST OFFSET', 'NEXT OFFSET', 'LAST STORED'],
        page.items.map((t) => [t.name, String(t.queues), t.messageType, t.origin, String(t.firstOffset), String(t.nextOffset), isoOrDash(t.lastStoredAt)]),
      );
      printMore(run.io, page.nextPageToken);
    }
    return EXIT.done;
  },
};

function topicSettings({ values }: AdminRun): TopicUpdate {
  const queues = intOption(values, 'queues', 1, 64);
  const typeText = values['message-type'];
  let messageType: AdminMessageType | undefined;
  if (typeof typeText === 'string') {
    messageType = MESSAGE_TYPES.find((t) => t === typeText.toUpperCase());
    if (!messageType) throw new UsageError(`--message-type must be one of ${MESSAGE_TYPES.join(', ')}, got ${typeText}`);
  }
  return { ...(queues !== undefined && { queues }), ...(messageType && { messageType }) };
}

function printTopic(io: CommandIo, topic: TopicInfo): void {
  printFields(io, [
    ['queues', String(topic.queues)],
    ['message type', topic.messageType],
    ['settings from', topic.origin],
    ['offsets', `${topic.firstOffset} to ${topic.nextOffset} (${topic.nextOffset - topic.firstOffset} retained)`],
    ['last stored', isoOrDash(topic.lastStoredAt)],
  ]);
}
