/**
 * Progress reports and cancellation, shared by export and import.
 *
 * @module
 */

/** The phases of an export or an import, in the order they happen. */
export type Phase = "selecting" | "exporting" | "scanning" | "validating" | "importing" | "rolling back";

/** One progress report: `done` of `total` items (runs) of the current phase. */
export type Progress = { done: number; total: number; phase: Phase };

/** Options both directions take. */
export type ProgressOptions = {
  /** Called as work advances (at least at the start and end of each phase). */
  onProgress?: (p: Progress) => void;
  /** Cancels the work: it stops at the next run, undoes what it did, and rejects with `signal.reason`. */
  signal?: AbortSignal;
};

/** Reports progress, at most once per `done` value and never for a done count going back. */
export class ProgressReporter {
  private phase: Phase = "selecting";
  private total = 0;

  constructor(private readonly options: ProgressOptions) {}

  start(phase: Phase, total: number): void {
    this.phase = phase;
    this.total = total;
    this.report(0);
  }

  report(done: number): void {
    this.options.onProgress?.({ done, total: this.total, phase: this.phase });
  }

  /** Throws the signal's reason when cancelled. */
  checkAborted(): void {
    this.options.signal?.throwIfAborted();
  }

  private lastYield = Date.now();

  /**
   * Lets timers, I/O and (in a page) rendering run when this work has held the thread for 10 ms:
   * with an in-memory store every await resolves at once (and small bundle files are read
   * synchronously), and a chain of resolved promises never returns to the event loop on its own.
   * Called between runs, so the longest stall is about 10 ms plus one run's work. (`setTimeout`,
   * not `setImmediate`: an immediate queued from an I/O callback runs before the timers do.)
   */
  async breathe(): Promise<void> {
    if (Date.now() - this.lastYield < 10) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.lastYield = Date.now();
  }
}
