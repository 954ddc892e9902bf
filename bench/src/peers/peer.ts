/** One messaging system under test: publish N messages, then consume them all. */
export interface Peer {
  readonly name: string;
  setup(): Promise<void>;
  /** Publishes `count` bodies with at most `inFlight` unconfirmed at a time; every publish is durable and confirmed. */
  publish(count: number, body: Buffer, inFlight: number): Promise<void>;
  /** Consumes and acknowledges `count` messages. */
  consume(count: number): Promise<void>;
  teardown(): Promise<void>;
}

/** Runs `task(i)` for i in [0, count) with at most `inFlight` running at once. */
export async function pool(count: number, inFlight: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
}
