import type { OfficialClient } from './official-client-guards.js';

/** The parts of the official client that re-send its Settings on the telemetry streams. */
interface SettingsSender {
  settingsCommand(): unknown;
  getTotalRouteEndpoints(): unknown[];
  telemetry(endpoints: unknown, command: unknown): void;
}

/** How often the Settings are re-sent while a start is pending, in ms. */
export const SETTINGS_RESEND_MS = 1000;

/**
 * Works around a start-up race of the official client: `startup()` queries the route of each
 * topic in turn, a new route endpoint makes it send its Settings at once, and it only starts
 * waiting for the Settings answer after the last route query. With several topics (a consumer
 * with several subscriptions) the answer can arrive before the wait began; it is then dropped
 * and `startup()` stays pending until the client's next periodic sync, 5 min later. Until
 * `startup` settles, this re-sends the Settings every `everyMs` (the client itself does so every
 * 5 min, so the broker or proxy treats it as a routine sync); an answer that arrives once the
 * wait began completes the start. Returns a function that stops it.
 */
export function resendSettingsWhileStarting(client: OfficialClient, startup: Promise<void>, everyMs = SETTINGS_RESEND_MS): () => void {
  const sender = client as unknown as Partial<SettingsSender>;
  if (typeof sender.settingsCommand !== 'function' || typeof sender.getTotalRouteEndpoints !== 'function' || typeof sender.telemetry !== 'function') {
    return () => undefined;
  }
  const { settingsCommand, getTotalRouteEndpoints, telemetry } = sender as SettingsSender;
  const timer = setInterval(() => {
    try {
      const command = settingsCommand.call(client);
      for (const endpoints of getTotalRouteEndpoints.call(client)) telemetry.call(client, endpoints, command);
    } catch {
      // A stream being re-created refuses the write; the next tick tries again.
    }
  }, everyMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  startup.then(stop, stop);
  return stop;
}
