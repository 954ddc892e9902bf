// The txmq console: tabs over the broker's JSON API (/api/...). No framework, no build step; every
// piece of data reaches the page as text (see dom.js), never as HTML.
import { getJson, postJson, segment } from './api.js';
import { drawThroughput } from './chart.js';
import { bodyCell, emptyRow, fill, h, row, shortTime } from './dom.js';

const $ = (id) => document.getElementById(id);
const THROUGHPUT_EVERY_MS = 2000;
const LISTING = { pageSize: 1000 };

/** Shows `text` in the status line (`kind`: ok, error, or busy). */
function say(text, kind = 'ok') {
  const status = $('status');
  status.textContent = text;
  status.className = kind;
}

/** Runs `work`, reporting a failure in the status line. */
async function guarded(work) {
  try {
    return await work();
  } catch (error) {
    say(`${error.code ? `${error.code}: ` : ''}${error.message}`, 'error');
    return undefined;
  }
}

// --- tabs -------------------------------------------------------------------------------------

const LOADERS = {
  overview: () => refreshThroughput(),
  topics: () => loadTopics(),
  groups: () => loadGroups(),
  dlq: (group) => loadDeadLetterGroups(group),
  transactions: () => loadTransactions(),
  messages: (id) => (id ? showTrace(id) : undefined),
};

/** Shows the section the location's hash names (`#dlq/GROUP`, `#messages/MESSAGE_ID`...). */
function route() {
  const [tab, ...rest] = location.hash.slice(1).split('/');
  const name = Object.hasOwn(LOADERS, tab) ? tab : 'overview';
  for (const section of document.querySelectorAll('[data-section]')) section.hidden = section.dataset.section !== name;
  for (const link of document.querySelectorAll('[data-tab]')) link.classList.toggle('active', link.dataset.tab === name);
  // A malformed escape in the hash (`#messages/%E0`) is reported like any failure.
  guarded(() => LOADERS[name](rest.length ? decodeURIComponent(rest.join('/')) : undefined));
}

/** Says so when a listing has more than the one page the console shows. */
function noteMore(page, what) {
  if (page.nextPageToken) say(`showing the first ${page.items.length} ${what}; more exist`, 'error');
}

// --- topics and groups ------------------------------------------------------------------------

async function loadTopics() {
  const page = await getJson('/api/topics', LISTING);
  const { items } = page;
  noteMore(page, 'topics');
  fill(
    $('topics-body'),
    items.length === 0
      ? emptyRow(7, 'no topics yet')
      : items.map((topic) =>
          row({ dataset: { topic: topic.name } }, [
            topic.name, topic.messageType, String(topic.queues), topic.origin, String(topic.messages),
            `${topic.firstOffset} – ${topic.nextOffset}`, shortTime(topic.lastStoredAt),
          ]),
        ),
  );
}

async function loadGroups() {
  const page = await getJson('/api/groups', LISTING);
  const { items } = page;
  noteMore(page, 'groups');
  fill(
    $('groups-body'),
    items.length === 0
      ? emptyRow(8, 'no consumer groups yet')
      : items.map((group) =>
          row({ dataset: { group: group.name } }, [
            group.name,
            String(group.consumersOnline),
            h('span', { class: group.lag > 0 ? 'warn' : '', 'data-testid': `lag-${group.name}` }, String(group.lag)),
            String(group.inFlight),
            group.deadLetters > 0 ? h('a', { href: `#dlq/${segment(group.name)}` }, String(group.deadLetters)) : '0',
            [group.fifo ? 'FIFO' : 'concurrent', group.broadcast ? ', broadcast' : ''].join(''),
            group.origin,
            h('ul', { class: 'compact' }, group.subscriptions.map((s) => h('li', {}, `${s.topic}: lag ${s.lag}, in flight ${s.inFlight}`))),
          ]),
        ),
  );
}

// --- dead letters -----------------------------------------------------------------------------

async function loadDeadLetterGroups(selected) {
  const page = await getJson('/api/groups', LISTING);
  const { items } = page;
  noteMore(page, 'groups');
  const select = $('dlq-group');
  const current = selected ?? select.value;
  fill(select, items.map((group) => h('option', { value: group.name, selected: group.name === current }, `${group.name} (${group.deadLetters})`)));
  if (select.value) await loadDeadLetters(select.value);
  else fill($('dlq-body'), emptyRow(7, 'no consumer groups yet'));
}

async function loadDeadLetters(group) {
  const page = await getJson(`/api/dlq/${segment(group)}`, LISTING);
  const { items } = page;
  noteMore(page, 'dead letters');
  fill(
    $('dlq-body'),
    items.length === 0
      ? emptyRow(7, `nothing in %DLQ%${group}`)
      : items.map((deadLetter) => {
          const { message } = deadLetter;
          const resend = h('button', {
            type: 'button',
            class: 'resend',
            'data-testid': `resend-${message.messageId}`,
            disabled: Boolean(deadLetter.resentAt),
            on: { click: () => guarded(() => resendDeadLetter(group, message.messageId)) },
          }, 'Resend');
          return row({ dataset: { messageId: message.messageId } }, [
            traceLink(message.messageId), message.deadLetter?.originTopic ?? '', message.keys.join(', '), shortTime(message.storedAt),
            bodyCell(message), h('span', { class: 'resent-at' }, shortTime(deadLetter.resentAt) || '—'), resend,
          ]);
        }),
  );
}

async function resendDeadLetter(group, messageId) {
  say(`resending ${messageId}…`, 'busy');
  const result = await postJson(`/api/dlq/${segment(group)}/resend`, { messageId });
  say(`resent ${result.messageId} to ${result.topic} (offset ${result.offset})`);
  await loadDeadLetters(group);
}

// --- transactions -----------------------------------------------------------------------------

async function loadTransactions() {
  const { items } = await getJson('/api/transactions');
  fill(
    $('transactions-body'),
    items.length === 0
      ? emptyRow(8, 'no unsettled transactions')
      : items.map((tx) => {
          const resolve = (action, label) =>
            h('button', {
              type: 'button',
              class: action,
              'data-testid': `${action}-${tx.transactionId}`,
              on: { click: () => guarded(() => resolveTransaction(tx.transactionId, action)) },
            }, label);
          return row({ dataset: { transactionId: tx.transactionId }, class: tx.parked ? 'parked' : '' }, [
            tx.transactionId, tx.topic, traceLink(tx.messageId), tx.producerClientId, shortTime(tx.createdAt), String(tx.checks),
            tx.parked ? 'parked' : `next check ${shortTime(tx.nextCheckAt)}`,
            [resolve('commit', 'Commit'), ' ', resolve('rollback', 'Roll back')],
          ]);
        }),
  );
}

async function resolveTransaction(transactionId, action) {
  const result = await postJson(`/api/transactions/${segment(transactionId)}/${action}`);
  say(result.changed ? `${transactionId}: ${result.resolution}` : `${transactionId} was settled already`);
  await loadTransactions();
}

// --- messages and traces ----------------------------------------------------------------------

function searchMode() {
  return new FormData($('search-form')).get('by');
}

function showSearchFields() {
  const mode = searchMode();
  for (const label of document.querySelectorAll('#search-form [data-by]')) label.hidden = !label.dataset.by.split(' ').includes(mode);
}

async function searchMessages() {
  const mode = searchMode();
  const query =
    mode === 'id' ? { id: $('search-id').value.trim() }
    : mode === 'key' ? { topic: $('search-topic').value.trim(), key: $('search-key').value.trim() }
    : { topic: $('search-topic').value.trim(), from: $('search-from').value.trim(), to: $('search-to').value.trim(), ...LISTING };
  const { items, nextPageToken } = await getJson('/api/messages', query);
  fill(
    $('messages-body'),
    items.length === 0
      ? emptyRow(7, 'no message found')
      : items.map((message) =>
          row({ dataset: { messageId: message.messageId, topic: message.topic } }, [
            message.messageId, message.topic, message.tag ?? '', message.keys.join(', '), shortTime(message.storedAt), bodyCell(message),
            h('a', { href: `#messages/${segment(message.messageId)}`, class: 'trace-link', 'data-testid': `trace-${message.messageId}` }, 'Trace'),
          ]),
        ),
  );
  say(`${items.length} message${items.length === 1 ? '' : 's'} found${nextPageToken ? ' (more exist: narrow the search)' : ''}`);
}

function traceLink(messageId) {
  return h('a', { href: `#messages/${segment(messageId)}`, class: 'trace-link' }, messageId);
}

async function showTrace(messageId) {
  const trace = await getJson(`/api/trace/${segment(messageId)}`);
  $('trace').hidden = false;
  $('trace-id').textContent = trace.messageId;
  const start = trace.events.length ? Date.parse(trace.events[0].at) : 0;
  fill(
    $('trace-timeline'),
    trace.events.map((event) =>
      h('li', { class: `event ${event.type}`, 'data-type': event.type },
        h('span', { class: 'dot' }),
        h('strong', {}, event.type),
        h('time', { datetime: event.at }, `${shortTime(event.at)} (+${Date.parse(event.at) - start} ms)`),
        h('span', { class: 'details' }, [
          event.topic && `topic ${event.topic}`,
          event.group && `group ${event.group}`,
          event.clientId && `client ${event.clientId}`,
          event.attempt !== undefined && `attempt ${event.attempt}`,
          event.note,
        ].filter(Boolean).join(' · ')),
      ),
    ),
  );
}

// --- throughput -------------------------------------------------------------------------------

async function refreshThroughput() {
  const { points } = await getJson('/api/throughput');
  drawThroughput($('throughput-chart'), points);
  const sum = (series) => points.reduce((total, point) => total + point[series], 0);
  $('throughput-totals').textContent = `Last 5 min: ${sum('in')} in, ${sum('out')} out.`;
}

// --- start ------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  window.addEventListener('hashchange', route);
  for (const button of document.querySelectorAll('[data-refresh]')) button.addEventListener('click', () => guarded(() => LOADERS[button.dataset.refresh]()));
  $('dlq-form').addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#dlq/${segment($('dlq-group').value)}`;
    guarded(() => loadDeadLetters($('dlq-group').value));
  });
  $('search-form').addEventListener('change', showSearchFields);
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    guarded(searchMessages);
  });
  setInterval(() => {
    if (!$('overview').hidden) guarded(refreshThroughput);
  }, THROUGHPUT_EVERY_MS);
  route();
});
