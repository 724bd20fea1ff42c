/**
 * A per-run read/write gate: history reads run side by side, and a compaction (which rewrites
 * the end of the file in place) waits for the reads in flight and holds new ones back until it
 * is done, so no read sees a half-rewritten frame.
 *
 * @module
 */
export class RunGate {
  private readers = 0;
  private drained: (() => void) | undefined;
  private exclusive: Promise<void> | undefined;

  /** Runs a read; waits while a rewrite is under way. */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    this.readers++;
    try {
      return await fn();
    } finally {
      if (--this.readers === 0) this.drained?.();
    }
  }

  /** Runs a rewrite alone: after the reads in flight, before any new one. */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    this.exclusive = new Promise<void>((r) => (release = r));
    try {
      if (this.readers > 0) await new Promise<void>((r) => (this.drained = r));
      return await fn();
    } finally {
      this.exclusive = undefined;
      this.drained = undefined;
      release();
    }
  }
}
