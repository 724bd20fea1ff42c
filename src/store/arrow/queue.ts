/**
 * A FIFO of async tasks: each starts when the previous one has settled, and a failed task does
 * not stop the ones after it. The Arrow store runs every change through one, so file writes
 * never interleave.
 *
 * @module
 */
export class Queue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it; resolves or rejects with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
