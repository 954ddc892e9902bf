import type { MessageQuery, StoredMessageInfo } from '../../client/admin-types.js';
import type { CommandIo } from '../io.js';
import { EXIT, expectPositionals, intOption, isoTimeOption, PAGE_OPTIONS, PAGE_USAGE, pageOptions, refuseOptions, UsageError, type AdminCommand, type AdminRun } from './command.js';
import { bodyText, messageJson, pageJson } from './json-views.js';
import { NotFoundError } from '../../errors.js';
import { isoOrDash, printFields, printJson, printLine, printMore } from './output.js';

/** `txmq-broker admin message`: find retained messages by id, by key, or by store time. */
export const MESSAGE_COMMAND: AdminCommand = {
  name: 'message',
  usage: `usage:
  txmq-broker admin message --id ID                            every retained copy of a message (its topic's, a %DLQ% copy)
  txmq-broker admin message --topic T --key K                  the messages of T with key K
  txmq-broker admin message --topic T --from TIME --to TIME    the messages of T stored in [TIME, TIME) (ISO-8601;
                                                               without a zone, and a date alone, local time)
Exits 1 when no message matches (with --json: { "error": { "code": "MESSAGE_NOT_FOUND", ... } }).
Options:
  --preview-bytes N     bytes of each body to show (default 256)
  --full-body           whole bodies (up to the broker's frame limit)
${PAGE_USAGE}`,
  options: {
    id: { type: 'string' },
    topic: { type: 'string' },
    key: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'preview-bytes': { type: 'string' },
    'full-body': { type: 'boolean', default: false },
    ...PAGE_OPTIONS,
  },
  async run(run) {
    expectPositionals(run.positionals, 0, '');
    const query = queryOf(run);
    if ('messageId' in query) refuseOptions(run.values, ['page-size', 'page-token'], '--id (every copy of a message comes at once)');
    if (run.values['full-body'] === true) refuseOptions(run.values, ['preview-bytes'], '--full-body');
    // A time without a zone is local: say which instants were asked for (stderr keeps stdout one document).
    if ('from' in query) run.io.err(`stored from ${query.from.toISOString()} to ${query.to.toISOString()} (UTC)`);
    const previewBytes = intOption(run.values, 'preview-bytes', 1, 64 * 1024 * 1024);
    const page = await run.admin().queryMessages(query, {
      ...pageOptions(run.values),
      ...(previewBytes !== undefined && { previewBytes }),
      fullBody: run.values['full-body'] === true,
    });
    // Nothing matching is a failure like any other not found: { "error": ... } with --json, exit 1.
    if (page.items.length === 0) throw new NotFoundError('MESSAGE_NOT_FOUND', `no retained message matches ${describeQuery(query)}`);
    if (run.json) printJson(run.io, pageJson(page, messageJson));
    else {
      page.items.forEach((message, index) => {
        if (index > 0) run.io.out('');
        printMessage(run.io, message);
      });
      printMore(run.io, page.nextPageToken);
    }
    return EXIT.done;
  },
};

function queryOf({ values }: AdminRun): MessageQuery {
  const { id, topic, key } = values as Record<string, string | undefined>;
  const from = isoTimeOption(values, 'from');
  const to = isoTimeOption(values, 'to');
  if (id !== undefined) {
    if (topic !== undefined || key !== undefined || from || to) throw new UsageError('--id goes alone (without --topic, --key, --from, --to)');
    return { messageId: id };
  }
  if (topic === undefined) throw new UsageError('give --id ID, or --topic T with --key K or with --from TIME --to TIME');
  if (key !== undefined) {
    if (from || to) throw new UsageError('--key and --from/--to are two different queries: give one');
    return { topic, key };
  }
  if (!from || !to) throw new UsageError('--topic needs --key K, or both --from TIME and --to TIME');
  if (to.getTime() < from.getTime()) throw new UsageError(`--to (${to.toISOString()}) is before --from (${from.toISOString()})`);
  return { topic, from, to };
}

function describeQuery(query: MessageQuery): string {
  if ('messageId' in query) return `id ${query.messageId}`;
  if ('key' in query) return `key ${query.key} in topic ${query.topic}`;
  return `topic ${query.topic} from ${query.from.toISOString()} to ${query.to.toISOString()}`;
}

/** A message as a block of aligned fields, its body last. */
export function printMessage(io: CommandIo, message: StoredMessageInfo): void {
  printLine(io, `message ${message.messageId}`);
  const body = bodyText(message);
  const fields: [string, string][] = [
    ['topic', `${message.topic} (queue ${message.queueId}, offset ${message.offset})`],
    ['kind', message.kind],
    ['tag', message.tag ?? '-'],
    ['keys', message.keys.join(', ') || '-'],
    ['stored at', message.storedAt.toISOString()],
    ['born at', `${message.bornAt.toISOString()} on ${message.bornHost}`],
    ['producer', message.producerClientId ?? '-'],
  ];
  if (message.messageGroup) fields.push(['message group', message.messageGroup]);
  if (message.deliverAt) fields.push(['deliver at', isoOrDash(message.deliverAt)]);
  if (message.deadLetter) fields.push(['dead letter of', `${message.deadLetter.originMessageId} in ${message.deadLetter.originTopic}`]);
  const properties = Object.entries(message.properties);
  if (properties.length > 0) fields.push(['properties', properties.map(([k, v]) => `${k}=${v}`).join(', ')]);
  const shown = message.bodyTruncated ? `first ${message.body.length} of ${message.bodySize} bytes` : `${message.bodySize} bytes`;
  fields.push(['body', `${shown}${body.encoding === 'base64' ? ', base64' : ''}: ${body.text}`]);
  printFields(io, fields);
}
