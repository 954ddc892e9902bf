import pg from 'pg';

/** A subscription returned by a {@link NotificationSource}. */
export interface NotificationSubscription {
  close(): Promise<void>;
}

/**
 * Wakes the relay when `send` commits. Optional: without one the relay only polls. Polling stays
 * the source of truth either way, so a missed notification (a reconnect, PgBouncer in
 * transaction mode) only costs latency.
 */
export interface NotificationSource {
  listen(channel: string, onNotification: () => void, onError: (error: unknown) => void): Promise<NotificationSubscription>;
}

/**
 * LISTEN on a dedicated node-postgres connection (not through PgBouncer in transaction mode).
 * Reconnects with backoff after a connection loss and wakes the relay once reconnected.
 */
export function pgNotifications(config: string | pg.ClientConfig): NotificationSource {
  return {
    async listen(channel, onNotification, onError) {
      let closed = false;
      let client: pg.Client | undefined;
      let wakeSleeper: (() => void) | undefined;

      // Connects, LISTENs, and resolves when the connection is lost.
      const session = async (): Promise<void> => {
        const c = new pg.Client(typeof config === 'string' ? { connectionString: config } : config);
        const lost = new Promise<void>((resolve) => {
          c.on('error', (error) => {
            if (!closed) onError(error);
            resolve();
          });
          c.on('end', () => resolve());
        });
        c.on('notification', (n) => {
          if (n.channel === channel) onNotification();
        });
        client = c;
        try {
          await c.connect();
          await c.query(`listen ${pg.escapeIdentifier(channel)}`);
        } catch (error) {
          await c.end().catch(() => undefined);
          throw error;
        }
        onNotification(); // anything committed while we were not listening
        await lost;
      };

      const first = session();
      const loop = async (): Promise<void> => {
        let delayMs = 500;
        let current = first;
        for (;;) {
          try {
            await current;
            delayMs = 500;
          } catch (error) {
            if (!closed) onError(error);
          }
          if (closed) return;
          await new Promise<void>((resolve) => {
            wakeSleeper = resolve;
            setTimeout(resolve, delayMs).unref();
          });
          if (closed) return;
          delayMs = Math.min(delayMs * 2, 30_000);
          current = session();
        }
      };
      void loop();
      return {
        async close() {
          closed = true;
          wakeSleeper?.();
          await client?.end().catch(() => undefined);
        },
      };
    },
  };
}

/** The part of a PGlite instance {@link pgliteNotifications} needs. */
export interface PgliteListener {
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/** LISTEN through an embedded PGlite instance. */
export function pgliteNotifications(pglite: PgliteListener): NotificationSource {
  return {
    async listen(channel, onNotification) {
      const unlisten = await pglite.listen(channel, () => onNotification());
      return { close: () => unlisten() };
    },
  };
}
