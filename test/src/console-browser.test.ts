// The broker's web console in a real headless browser (Debian's chromium, driven by
// playwright-core) against a broker process fed by the official client: find a message by its
// key, open its trace, resend a dead letter, commit a transaction. A screenshot of each step is
// kept in a temporary folder (its path is printed), for a person to look at. A second broker,
// with users and TLS, serves the console over HTTPS to admins only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { eventually } from '@txmq/test-support';
import { checkedProducer, type Closable } from './fixtures/transaction-helpers.js';
import { startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { freePort } from './support/free-port.js';
import { ClientPool, receiveN, text } from './support/official-clients.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** How long a DOM change the test waits for may take. */
const DOM_BOUND_MS = 10_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const group = uniqueName('console-group');
let broker: BrokerProcess;
let consoleUrl: string;
const clients = new ClientPool(() => broker.endpoint);
const txClients: Closable[] = [];

before(async () => {
  const httpPort = await freePort();
  broker = await startBrokerProcess({
    config: { groups: { [group]: { maxDeliveryAttempts: 1 } }, transaction: { checkImmunityMs: 60_000 } },
    extraArgs: ['--http-port', String(httpPort)],
  });
  consoleUrl = `http://127.0.0.1:${httpPort}/`;
});
after(async () => {
  await clients.shutdownAll();
  await Promise.all(txClients.map((client) => client.shutdown()));
  await broker?.stop();
  await broker?.dispose();
});

/** GETs the console API (to wait for the broker's side of a step). */
async function api<T>(path: string): Promise<T> {
  const response = await fetch(new URL(path, consoleUrl));
  assert.equal(response.status, 200, `GET ${path}`);
  return (await response.json()) as T;
}

test('the console: find a message by key, open its trace, resend a dead letter, commit a transaction; a screenshot of each step', async (t) => {
  assert.ok(existsSync(CHROMIUM), `the browser test needs Debian's chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (.ci/run does when it is missing)`);
  const topic = uniqueName('console-orders');
  const producer = await clients.producer(topic);
  const order = await producer.send({ topic, tag: 'created', keys: ['order-42'], body: Buffer.from('{"order":42,"note":"<b>not html</b>"}') });
  const consumer = await clients.simple(group, topic);
  // Acknowledged within the default invisibility: the group allows one delivery only.
  const [received] = await receiveN(consumer, 1);
  assert.equal(received!.messageId, order.messageId);
  const poison = await producer.send({ topic, keys: ['poison-1'], body: Buffer.from('poison') });
  await receiveN(consumer, 1, { ack: false, invisibleMs: 1000 });
  // One delivery allowed: the next receive after the lease moves the poison message to %DLQ%<group>.
  await eventually('the poison message dead-lettered', async () => {
    await consumer.receive(32, 1000);
    const { items } = await api<{ items: { message: { messageId: string } }[] }>(`/api/dlq/${encodeURIComponent(group)}`);
    return items.some((d) => d.message.messageId === poison.messageId);
  }, { timeoutMs: 15_000 });
  const txTopic = uniqueName('console-tx');
  const { producer: txProducer } = await checkedProducer(broker.endpoint, txTopic, txClients);
  const half = await txProducer.send({ topic: txTopic, body: Buffer.from('half') }, txProducer.beginTransaction());

  const shots = await mkdtemp(join(tmpdir(), 'txmq-console-screenshots-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const pageErrors: string[] = [];
  let step = 0;
  const screenshot = async (page: Page, name: string) => {
    step += 1;
    const path = join(shots, `${step}-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    const png = await readFile(path);
    assert.ok(png.length > 1000 && png.subarray(0, 8).equals(PNG_SIGNATURE), `${path} is a PNG (${png.length} bytes)`);
  };
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(DOM_BOUND_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));

    await page.goto(consoleUrl);
    assert.equal(await page.title(), 'txmq console');
    await page.locator('#throughput-totals', { hasText: /[1-9]\d* in/ }).waitFor();
    assert.match(await page.textContent('#throughput-totals') ?? '', /Last 5 min: [1-9]\d* in, [1-9]\d* out\./);
    assert.equal(await page.locator('#throughput-chart polyline').count(), 2, 'an in and an out line');
    await screenshot(page, 'overview-throughput');

    await page.click('[data-tab="groups"]');
    const groupRow = page.locator(`#groups-body tr[data-group="${group}"]`);
    await groupRow.waitFor();
    assert.equal(await groupRow.locator('td').nth(4).textContent(), '1', 'one dead letter in the group');
    await screenshot(page, 'groups');

    await page.click('[data-tab="messages"]');
    await page.check('[data-testid="search-by-key"]');
    await page.fill('#search-topic', topic);
    await page.fill('#search-key', 'order-42');
    await page.click('#search-submit');
    const found = page.locator(`#messages-body tr[data-message-id="${order.messageId}"]`);
    await found.waitFor();
    assert.equal(await page.locator('#messages-body tr').count(), 1, 'only the message with that key');
    assert.equal(await found.locator('td').nth(5).textContent(), '{"order":42,"note":"<b>not html</b>"}', 'the body shown as text, not markup');
    assert.equal(await page.locator('#messages-body b').count(), 0, 'no element made of the data');
    await screenshot(page, 'message-by-key');

    await page.click(`[data-testid="trace-${order.messageId}"]`);
    await page.locator('#trace-timeline li[data-type="acked"]').waitFor();
    assert.equal(await page.textContent('#trace-id'), order.messageId);
    const types = await page.locator('#trace-timeline li').evaluateAll((items) => items.map((item) => item.getAttribute('data-type')));
    for (const type of ['stored', 'delivered', 'acked']) assert.ok(types.includes(type), `the trace shows "${type}": ${types.join(', ')}`);
    assert.ok(types.indexOf('stored') < types.indexOf('delivered') && types.indexOf('delivered') < types.indexOf('acked'), `in time order: ${types.join(', ')}`);
    assert.match(await page.textContent('#trace-timeline li[data-type="acked"]') ?? '', new RegExp(`group ${group}`));
    await screenshot(page, 'trace-timeline');

    await page.click('[data-tab="dlq"]');
    await page.selectOption('#dlq-group', group);
    await page.click('#dlq-show');
    const deadRow = page.locator(`#dlq-body tr[data-message-id="${poison.messageId}"]`);
    await deadRow.waitFor();
    assert.equal(await deadRow.locator('.resent-at').textContent(), '—');
    await screenshot(page, 'dead-letters');
    await page.click(`[data-testid="resend-${poison.messageId}"]`);
    await page.locator('#status', { hasText: /^resent / }).waitFor();
    assert.match(await page.textContent('#status') ?? '', new RegExp(`^resent ${poison.messageId} to ${topic} \\(offset \\d+\\)$`));
    await page.locator(`[data-testid="resend-${poison.messageId}"][disabled]`).waitFor();
    assert.match(await deadRow.locator('.resent-at').textContent() ?? '', /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    await screenshot(page, 'dead-letter-resent');
    // The group gets the resent message again, with the same id.
    const [again] = await receiveN(consumer, 1);
    assert.equal(again!.messageId, poison.messageId);
    assert.equal(text(again!), 'poison');

    await page.click('[data-tab="transactions"]');
    await page.click(`[data-testid="commit-${half.transactionId}"]`);
    await page.locator('#status', { hasText: `${half.transactionId}: COMMIT` }).waitFor();
    await page.locator(`#transactions-body tr[data-transaction-id="${half.transactionId}"]`).waitFor({ state: 'detached' });
    await screenshot(page, 'transaction-committed');
    assert.deepEqual(pageErrors, [], 'no script error on the page');
  } finally {
    await browser.close();
  }
  t.diagnostic(`screenshots of the console: ${shots}`);
});

/** GET over HTTPS trusting `ca`, with an optional `authorization` header. */
function httpsGet(url: string, ca: Buffer, authorization?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { ca, headers: authorization ? { authorization } : {} }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A plain HTTP GET of `/` on `port`, as sent: what the port answers before it closes. */
function plainGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

test('with users and TLS: an admin opens the console over HTTPS; another user gets 403; /metrics wants credentials; no secret is logged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-console-tls-'));
  const secrets = { OPS_SECRET: `ops-${process.pid}-s3cret`, APP_SECRET: `app-${process.pid}-s3cret` };
  const wrongSecret = `wrong-${process.pid}-s3cret`;
  let secure: BrokerProcess | undefined;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const certFile = join(dir, 'server.pem');
    const keyFile = join(dir, 'server-key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    const ca = await readFile(certFile);
    const httpPort = await freePort();
    secure = await startBrokerProcess({
      memory: true,
      config: {
        acl: {
          users: [
            { accessKey: 'ops', secretEnv: 'OPS_SECRET', admin: true },
            { accessKey: 'orders-app', secretEnv: 'APP_SECRET', topics: { '*': ['pub', 'sub'] }, groups: { '*': ['sub'] } },
          ],
        },
      },
      env: secrets,
      extraArgs: ['--tls-cert', certFile, '--tls-key', keyFile, '--http-port', String(httpPort)],
    });
    const base = `https://127.0.0.1:${httpPort}`;

    const admin = await browser.newContext({ httpCredentials: { username: 'ops', password: secrets.OPS_SECRET }, ignoreHTTPSErrors: true });
    const page = await admin.newPage();
    page.setDefaultTimeout(DOM_BOUND_MS);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
    const opened = await page.goto(`${base}/`);
    assert.equal(opened?.status(), 200);
    assert.equal(await page.title(), 'txmq console');
    await page.locator('#throughput-totals', { hasText: /Last 5 min/ }).waitFor();
    await page.click('[data-tab="topics"]');
    await page.locator('#topics-body tr').first().waitFor();
    assert.match(await page.textContent('#status') ?? '', /^(?!.*UNAUTHORIZED)(?!.*FORBIDDEN)/, 'the console\'s own API calls are let in');
    assert.deepEqual(pageErrors, [], 'no script error and no refused fetch on the page');

    const app = await browser.newContext({ httpCredentials: { username: 'orders-app', password: secrets.APP_SECRET }, ignoreHTTPSErrors: true });
    const refused = await (await app.newPage()).goto(`${base}/`);
    assert.equal(refused?.status(), 403);
    const api = await app.request.get(`${base}/api/topics`);
    assert.equal(api.status(), 403);
    assert.equal((await api.json()).error.right, 'admin');

    const anonymous = await httpsGet(`${base}/metrics`, ca);
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /^Basic realm="txmq"/);
    assert.equal(JSON.parse(anonymous.text).error.reason, 'no-credentials');
    const wrong = await httpsGet(`${base}/metrics`, ca, basic('ops', wrongSecret));
    assert.equal(JSON.parse(wrong.text).error.reason, 'bad-signature');
    const metrics = await httpsGet(`${base}/metrics`, ca, basic('ops', secrets.OPS_SECRET));
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^txmq_auth_failures_total\{reason="bad-signature"\} [1-9]/m);
    assert.match(await plainGet(httpPort), /^HTTP\/1\.1 400 [^]*speaks HTTPS only/, 'plain HTTP to the port is told to use https');

    await secure.stop();
    const log = secure.stderr();
    assert.match(log, /authentication refused/, 'the refusals were logged');
    for (const secret of [...Object.values(secrets), wrongSecret]) {
      assert.ok(!log.includes(secret), `the log holds a secret: ${secret}`);
      assert.ok(!log.includes(Buffer.from(`ops:${secret}`).toString('base64')), 'the log holds a Basic header');
    }
  } finally {
    await browser.close();
    await secure?.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
