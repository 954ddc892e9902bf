import type { AdminBackend } from '../admin/backend.js';
import type { PageRequest } from '../core/views/index.js';
import { parseIsoTime } from '../rules/iso-time.js';
import { badRequest, HttpError } from './http-error.js';
import {
  deadLetterJson,
  groupJson,
  iso,
  messageJson,
  pageJson,
  resendJson,
  topicJson,
  traceJson,
  transactionJson,
} from './json-views.js';
import { requireString } from './request-body.js';
import { Router } from './router.js';
import type { Throughput } from './throughput.js';

/**
 * The console's JSON API under `/api/`, over {@link AdminBackend}. Listings take `pageSize` and
 * `pageToken` and answer `{ items, nextPageToken? }`; times are ISO-8601.
 */
export function apiRouter(backend: AdminBackend, throughput: Throughput): Router {
  return new Router()
    .add('GET', '/api/topics', ({ query }) => pageJson(backend.listTopics(pageOf(query)), topicJson))
    .add('GET', '/api/topics/:name', ({ params }) => topicJson(backend.describeTopic(params.name!)))
    .add('GET', '/api/groups', ({ query }) => pageJson(backend.listGroups(pageOf(query)), groupJson))
    .add('GET', '/api/groups/:name', ({ params }) => groupJson(backend.describeGroup(params.name!)))
    .add('GET', '/api/messages', ({ query }) => findMessages(backend, query))
    .add('GET', '/api/trace/:id', ({ params }) => {
      const trace = backend.traceMessage(params.id!);
      if (!trace) throw new HttpError(404, 'MESSAGE_NOT_FOUND', `no trace of message ${params.id} is retained`);
      return traceJson(trace);
    })
    .add('GET', '/api/dlq/:group', ({ params, query }) => pageJson(backend.listDeadLetters(params.group!, pageOf(query)), deadLetterJson))
    .add('POST', '/api/dlq/:group/resend', async ({ params, body }) => {
      const messageId = requireString(await body(), 'messageId');
      return resendJson(await backend.resendDeadLetter(params.group!, messageId));
    })
    .add('GET', '/api/transactions', ({ query }) => {
      const parked = query.get('parked');
      if (parked !== null && parked !== 'true' && parked !== 'false') throw badRequest(`"parked" must be true or false, got ${JSON.stringify(parked)}`);
      const parkedOnly = parked === 'true';
      const topic = query.get('topic');
      const items = backend
        .unsettledTransactions()
        .filter((half) => (!parkedOnly || half.parked) && (!topic || half.message.topic === topic))
        .map(transactionJson);
      return { items };
    })
    .add('GET', '/api/transactions/:id', ({ params }) => {
      const half = backend.transaction(params.id!);
      if (!half) throw new HttpError(404, 'INVALID_TRANSACTION_ID', `no unsettled transaction ${params.id}`);
      return transactionJson(half);
    })
    .add('POST', '/api/transactions/:id/commit', ({ params }) => resolve(backend, params.id!, 'COMMIT'))
    .add('POST', '/api/transactions/:id/rollback', ({ params }) => resolve(backend, params.id!, 'ROLLBACK'))
    .add('GET', '/api/throughput', () => ({
      intervalSeconds: 1,
      points: throughput.series().map((point) => ({ at: iso(point.at), in: point.in, out: point.out })),
    }));
}

async function resolve(backend: AdminBackend, transactionId: string, resolution: 'COMMIT' | 'ROLLBACK') {
  const changed = await backend.endTransaction(transactionId, resolution);
  return { transactionId, resolution, changed };
}

/** `?id=`, `?topic=&key=`, or `?topic=&from=&to=` (ISO-8601; `to` defaults to now). */
function findMessages(backend: AdminBackend, query: URLSearchParams) {
  const id = query.get('id');
  if (id) return { items: backend.findMessagesById(id).map(messageJson) };
  const topic = query.get('topic');
  if (!topic) throw badRequest('search messages with ?id=MESSAGE_ID, ?topic=TOPIC&key=KEY, or ?topic=TOPIC&from=ISO_TIME&to=ISO_TIME');
  const key = query.get('key');
  if (key && (query.has('from') || query.has('to'))) throw badRequest('search by key=KEY or by from=ISO_TIME (and to=ISO_TIME), not both');
  if (key) return pageJson(backend.findMessagesByKey(topic, key, pageOf(query)), messageJson);
  const from = query.get('from');
  if (!from) throw badRequest(`searching topic ${JSON.stringify(topic)} needs key=KEY or from=ISO_TIME (and optionally to=ISO_TIME)`);
  const fromMs = timeParam('from', from);
  const to = query.get('to');
  const toMs = to ? timeParam('to', to) : Date.now();
  if (toMs < fromMs) throw badRequest(`"to" (${to}) is before "from" (${from})`);
  return pageJson(backend.findMessagesByTime(topic, fromMs, toMs, pageOf(query)), messageJson);
}

/** An ISO-8601 date and time with a zone (a time without one would be read in the broker's zone), in ms since the epoch. */
function timeParam(name: string, value: string): number {
  const time = parseIsoTime(value, { zone: 'required' });
  if ('problem' in time) {
    throw badRequest(`"${name}" must be an ISO-8601 time with a zone such as 2026-01-31T12:00:00Z or 2026-01-31T13:00:00+01:00, got ${JSON.stringify(value)}, which ${time.problem}`);
  }
  return time.ms;
}

/** `pageSize` (1 to 1000) and `pageToken` of a listing. */
function pageOf(query: URLSearchParams): PageRequest {
  const size = query.get('pageSize');
  const token = query.get('pageToken');
  if (size !== null && (!/^\d+$/.test(size) || Number(size) < 1 || Number(size) > 1000)) {
    throw badRequest(`"pageSize" must be an integer from 1 to 1000, got ${JSON.stringify(size)}`);
  }
  return { ...(size !== null && { pageSize: Number(size) }), ...(token && { pageToken: token }) };
}
