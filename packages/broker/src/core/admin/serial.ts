/**
 * Runs tasks one after another, each starting once the one before has settled: operator changes
 * check what exists and then write, so two of them must not interleave.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
