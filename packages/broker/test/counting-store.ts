import { MemoryStore } from '../src/store/memory-store.js';
import type { WriteBatch } from '../src/store/store.js';

/**
 * A {@link MemoryStore} that records every commit it is given and holds each one until the test
 * releases it, so a test sees which writes travel together and what waits for what.
 */
export class CountingStore extends MemoryStore {
  readonly commits: WriteBatch[] = [];
  readonly #held: { release: () => void; fail: (error: Error) => void }[] = [];
  /** When false, commits complete at once. */
  hold = true;

  override commit(batch: WriteBatch): Promise<void> {
    this.commits.push(batch);
    if (!this.hold) return super.commit(batch);
    return new Promise<void>((resolve, reject) => {
      this.#held.push({
        release: () => super.commit(batch).then(resolve, reject),
        fail: reject,
      });
    });
  }

  /** Commits that were started and not yet released or failed. */
  get pending(): number {
    return this.#held.length;
  }

  /** Completes the oldest held commit. */
  release(): void {
    this.#held.shift()?.release();
  }

  /** Fails the oldest held commit with `error`. */
  fail(error: Error): void {
    this.#held.shift()?.fail(error);
  }
}
