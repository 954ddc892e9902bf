import { EXIT, expectPositionals, intOption, PAGE_OPTIONS, PAGE_USAGE, pageOptions, refuseOptions, type AdminCommand } from './command.js';
import { bodyText, deadLetterJson, pageJson } from './json-views.js';
import { isoOrDash, printJson, printLine, printMore, printTable } from './output.js';

/** `txmq-broker admin dlq`: a group's dead letters, and resending one to its origin topic. */
export const DLQ_COMMAND: AdminCommand = {
  name: 'dlq',
  usage: `usage:
  txmq-broker admin dlq GROUP [--page-size N] [--page-token TOKEN]    the messages in %DLQ%GROUP, oldest first
  txmq-broker admin dlq resend GROUP ID                             sends dead letter ID back to its origin topic (same message id)
Options:
  --preview-bytes N     bytes of each body to show (default 256; the table shows 40 characters)
${PAGE_USAGE}`,
  options: { 'preview-bytes': { type: 'string' }, ...PAGE_OPTIONS },
  async run(run) {
    const { positionals } = run;
    if (positionals[0] === 'resend') {
      expectPositionals(positionals, 3, 'GROUP and message ID');
      refuseOptions(run.values, ['preview-bytes', 'page-size', 'page-token'], 'resend');
      const [, group, messageId] = positionals as [string, string, string];
      const result = await run.admin().resendDeadLetter(group, messageId);
      if (run.json) printJson(run.io, result);
      else printLine(run.io, `message ${result.messageId} resent from %DLQ%${group} to ${result.topic} (offset ${result.offset})`);
      return EXIT.done;
    }
    expectPositionals(positionals, 1, 'consumer group');
    const group = positionals[0]!;
    const previewBytes = intOption(run.values, 'preview-bytes', 1, 64 * 1024 * 1024);
    const page = await run.admin().listDeadLetters(group, { ...pageOptions(run.values), ...(previewBytes !== undefined && { previewBytes }) });
    if (run.json) printJson(run.io, pageJson(page, deadLetterJson));
    else if (page.items.length === 0) printLine(run.io, `no dead letters in %DLQ%${group}`);
    else {
      printTable(
        run.io,
        ['MESSAGE ID', 'ORIGIN TOPIC', 'DEAD-LETTERED', 'RESENT', 'TAG', 'KEYS', 'BODY'],
        page.items.map(({ message, resentAt }) => [
          message.messageId,
          message.deadLetter?.originTopic ?? '-',
          message.storedAt.toISOString(),
          isoOrDash(resentAt),
          message.tag ?? '-',
          message.keys.join(',') || '-',
          preview(bodyText(message).text, message.bodySize),
        ]),
      );
      printMore(run.io, page.nextPageToken);
    }
    return EXIT.done;
  },
};

/** One table cell of a body: its first characters on one line. */
function preview(text: string, size: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 40)}... (${size} bytes)` : line;
}
