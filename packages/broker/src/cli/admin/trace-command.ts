import { EXIT, expectPositionals, type AdminCommand } from './command.js';
import { traceJson } from './json-views.js';
import { printJson, printLine, printTable } from './output.js';

/** `txmq-broker admin trace ID`: a message's life in time order. */
export const TRACE_COMMAND: AdminCommand = {
  name: 'trace',
  usage: `usage:
  txmq-broker admin trace ID     sent, stored, delivered (to which group and client, each attempt), acked,
                                 redelivered, dead-lettered, recalled; checked, committed, rolled-back for half messages
Exits 1 when nothing of the message is retained.`,
  options: {},
  async run(run) {
    expectPositionals(run.positionals, 1, 'message id');
    const trace = await run.admin().traceMessage(run.positionals[0]!);
    if (run.json) printJson(run.io, traceJson(trace));
    else {
      printLine(run.io, `message ${trace.messageId}`);
      printTable(
        run.io,
        ['AT', 'EVENT', 'TOPIC', 'GROUP', 'CLIENT', 'ATTEMPT', 'NOTE'],
        trace.events.map((e) => [e.at.toISOString(), e.type, e.topic ?? '-', e.group ?? '-', e.clientId ?? '-', e.attempt === undefined ? '-' : String(e.attempt), e.note ?? '']),
      );
    }
    return EXIT.done;
  },
};
