import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { resendSettingsWhileStarting } from '../src/client/settings-resend.js';

/**
 * Mimics the official client's start with two topics: the Settings answer to the first sync
 * arrives while the second route query runs, before `startup()` waits for it, and is dropped.
 */
class RacyClient {
  settingsSent = 0;
  #resolveWait: (() => void) | undefined;
  #routes: string[] = [];

  async startup(): Promise<void> {
    this.#routes = ['broker-a'];
    this.telemetry('broker-a', this.settingsCommand()); // answered at once: nobody waits yet
    await sleep(5); // the second topic's route query
    await new Promise<void>((resolve) => (this.#resolveWait = resolve));
  }

  async shutdown(): Promise<void> {}

  settingsCommand(): string {
    return 'settings';
  }

  getTotalRouteEndpoints(): string[] {
    return this.#routes;
  }

  telemetry(_endpoints: unknown, command: unknown): void {
    assert.equal(command, 'settings');
    this.settingsSent += 1;
    this.#resolveWait?.(); // the broker's answer to these Settings
  }
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise.then(() => 'settled' as const), sleep(ms, 'pending' as const)]);

test('without re-sent Settings the racy start stays pending', async () => {
  const client = new RacyClient();
  assert.equal(await within(client.startup(), 200), 'pending');
});

test('re-sending the Settings while the start is pending completes it, then stops', async () => {
  const client = new RacyClient();
  const startup = client.startup();
  resendSettingsWhileStarting(client, startup, 10);
  assert.equal(await within(startup, 5_000), 'settled');
  const sent = client.settingsSent;
  assert.ok(sent >= 2, `the Settings were sent again (${sent} in all)`);
  await sleep(50);
  assert.equal(client.settingsSent, sent, 'nothing is sent once the start settled');
});

test('a client without those methods is left alone', async () => {
  const stop = resendSettingsWhileStarting({ startup: async () => undefined, shutdown: async () => undefined }, Promise.resolve(), 10);
  stop();
});
