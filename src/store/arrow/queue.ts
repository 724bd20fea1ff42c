/**
 * A FIFO of async tasks: each starts when the previous one has settled, and a failed task does
 * not stop the ones after it. The Arrow store runs every change through one, so file writes
 * never interleave.
 *
 * @module
 */
export class Queue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Tasks queued and not yet settled (the running one included). */
  get size(): number {
    return this.queued;
  }

  /** Runs `task` after every task queued before it; resolves or rejects with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(task, task).finally(() => this.queued--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Calls `fn` on every item with at most `limit` calls in flight, and resolves with the failures
 * (each item is attempted whatever happens to the others). Writes to different runs' files are
 * independent, and the file system's thread pool overlaps them well (1,000 runs per flush).
 */
export async function eachLimit<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  const it = items[Symbol.iterator]();
  const worker = async () => {
    for (let next = it.next(); !next.done; next = it.next()) {
      try {
        await fn(next.value);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return errors;
}
