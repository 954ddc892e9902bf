/** What {@link LazyProducer} needs of a broker client: `close`, and `start` when it connects eagerly. */
export interface Connectable {
  close(): Promise<void>;
  start?(): Promise<void>;
}

/**
 * A broker client created and started on first use, so the factories that own one do no I/O.
 * A failed start is forgotten (the client is closed) and the next use tries again; `close()` is
 * idempotent and waits for a start still under way.
 */
export class LazyProducer<P extends Connectable> {
  readonly #connect: () => P | Promise<P>;
  #connecting: Promise<P> | undefined;
  #closing: Promise<void> | undefined;

  constructor(connect: () => P | Promise<P>) {
    this.#connect = connect;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The started client, creating and starting it if need be. */
  get(): Promise<P> {
    if (this.#connecting !== undefined) return this.#connecting;
    const attempt = (async () => {
      const client = await this.#connect();
      try {
        await client.start?.();
      } catch (error) {
        await client.close().catch(() => undefined);
        throw error;
      }
      return client;
    })();
    this.#connecting = attempt;
    attempt.catch(() => {
      if (this.#connecting === attempt) this.#connecting = undefined;
    });
    return attempt;
  }

  /** Closes the client if one was created; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const client = await this.#connecting?.catch(() => undefined);
      await client?.close();
    })();
    return this.#closing;
  }
}
