import { filterThroughput } from '../filter-throughput.js';
import type { Part } from './part.js';

/** SQL92 filter throughput against a tag filter matching the same half (`filter-throughput.ts`, its own broker). */
export const filterPart: Part = {
  name: 'filter',
  async run({ profile, results, log }) {
    const { tagPerSecond, sqlPerSecond } = await filterThroughput({ messages: profile.messages });
    results.set('filter_tag_msg_s', 'receive through a tag filter matching half', 'msg/s', 'txmq', tagPerSecond);
    results.set('filter_sql_msg_s', 'receive through an SQL92 filter matching the same half', 'msg/s', 'txmq', sqlPerSecond);
    log(`filter: tag ${tagPerSecond.toFixed(0)} msg/s, SQL92 ${sqlPerSecond.toFixed(0)} msg/s`);
  },
};
