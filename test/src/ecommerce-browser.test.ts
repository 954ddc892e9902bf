// The account service's page in a real headless browser (Debian's chromium, driven by
// playwright-core): register through the form, and watch the table fill in as the points and
// coupons services grant the rewards. Runs the example as `npm start` does, on embedded defaults.
// The screenshot is kept in a temporary folder (its path is printed), for a person to look at.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { EXAMPLE_MAIN } from './support/ecommerce/example-paths.js';
import { ExampleProcess } from './support/ecommerce/example-process.js';
import { userEnv } from './support/ecommerce/user-env.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** How long the example may take to start (three PGlite databases and a broker on a small machine). */
const START_BOUND_MS = 120_000;
/** How long a DOM change the test waits for may take (a reward crosses the broker and a service). */
const DOM_BOUND_MS = 30_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** `node examples/ecommerce/dist/main.js all --free-ports --data-dir DIR`: what `npm start` runs, in its own process group. */
function example(dataDir: string): ExampleProcess {
  return new ExampleProcess({
    name: 'example',
    args: () => [EXAMPLE_MAIN, 'all', '--free-ports', '--data-dir', dataDir],
    env: userEnv(),
    ready: /example ready: open (http:\/\/\S+\/) /,
    detached: true,
    startBoundMs: START_BOUND_MS,
  });
}

test('the account page: register through the form, the points and the coupon appear in the table, a duplicate is refused; screenshot', async (t) => {
  assert.ok(
    existsSync(CHROMIUM),
    `the browser test needs Debian's chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (.ci/run does when it is missing)`,
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'txmq-ecommerce-browser-'));
  const shots = await mkdtemp(join(tmpdir(), 'txmq-ecommerce-screenshot-'));
  const system = example(dataDir);
  await system.start();
  let exit: Awaited<ReturnType<ExampleProcess['stop']>>;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }).catch(async (error: unknown) => {
    await system.stop();
    system.signalGroup('SIGKILL');
    throw error;
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
    page.setDefaultTimeout(DOM_BOUND_MS);
    await page.goto(system.address);
    assert.equal(await page.title(), 'txmq e-commerce example');

    await page.fill('#email', 'Ada@Example.com');
    await page.fill('#name', 'Ada Lovelace');
    await page.click('#submit');
    await page.waitForSelector('#message.ok');
    assert.match(await page.textContent('#message') ?? '', /Registered Ada Lovelace <ada@example\.com>/);

    const row = 'tr[data-email="ada@example.com"]';
    const points = await page.waitForSelector(`${row} td.points:not(.pending)`);
    assert.equal((await points.textContent())?.trim(), '100', 'the welcome points in the table');
    const coupon = await page.waitForSelector(`${row} td.coupon:not(.pending)`);
    assert.match((await coupon.textContent()) ?? '', /^WELCOME-[0-9A-F]{8} \(until \d{4}-\d{2}-\d{2}\)$/, 'the welcome coupon in the table');
    assert.equal(await page.textContent(`${row} td.name`), 'Ada Lovelace');

    const screenshot = join(shots, 'ecommerce-account-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = await readFile(screenshot);
    assert.ok(png.length > 1000 && png.subarray(0, 8).equals(PNG_SIGNATURE), `${screenshot} is a PNG (${png.length} bytes)`);
    assert.equal(png.readUInt32BE(16), 1100, 'the screenshot is as wide as the page');
    t.diagnostic(`screenshot of the page: ${screenshot}`);

    await page.fill('#email', 'ada@example.com');
    await page.fill('#name', 'Ada again');
    await page.click('#submit');
    await page.waitForSelector('#message.error');
    assert.match(await page.textContent('#message') ?? '', /^409: ada@example\.com is already registered/);
    assert.equal(await page.locator('tbody tr').count(), 1, 'the duplicate added no row');

  } finally {
    await browser.close();
    exit = await system.stop();
    system.signalGroup('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
  assert.deepEqual(exit, { code: 0, signal: null }, `the example stops cleanly on SIGTERM:\n${system.output()}`);
});
