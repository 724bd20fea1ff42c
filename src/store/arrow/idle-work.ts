/**
 * The Arrow store's background work, done when writes pause: moving the journal's points to the
 * run histories (redistribute.ts) and compacting histories with many small frames (compact.ts).
 *
 * Rules: the work runs in the store's write queue, so never beside a write, one short step at a
 * time while nothing else is queued; a write that arrives waits for the step in progress only.
 * Compaction starts after a 50 ms pause. The journal waits for a longer pause (250 ms: longer
 * than the client's 100 ms flush interval, so a burst of logging goes to the journal alone and is
 * moved once it is over), or, once its oldest points are 10 s old, a pause as short as compaction's.
 *
 * @module
 */
import type { Journal } from "./journal.js";
import type { RunRecord } from "./load.js";
import { eachLimit, type Queue } from "./queue.js";
import type { Redistributor } from "./redistribute.js";

/** How long writes must have paused before background compaction starts. */
const COMPACT_IDLE_MS = 50;
/** Runs compacted per step; a write that arrives waits for at most these. */
const COMPACT_SLICE = 8;
/** How long writes must have paused before the journal's points are moved (see the module comment)... */
const JOURNAL_IDLE_MS = 250;
/** ...or, once the journal's oldest points are this old, as short a pause as compaction's. */
const JOURNAL_AGE_MS = 10_000;
/** After a move from the journal failed, how long before it is tried again. */
const RETRY_MS = 5000;

/** What the background work needs from the store. */
export type IdleWorkHost = {
  queue: Queue;
  journal: Journal;
  redistributor: Redistributor;
  isClosed(): boolean;
  run(runId: string): RunRecord | undefined;
  /** Whether the run's history is worth compacting now (enough small frames, not broken). */
  compactable(runId: string, r: RunRecord): boolean;
  compact(runId: string, r: RunRecord): Promise<void>;
  /** Waits for the background fsyncs in flight (a journal file must not be removed under one). */
  settleSyncs(): Promise<void>;
  warn(message: string): void;
};

/** Schedules and does a store's background work (see the module comment). */
export class IdleWork {
  private readonly compactLater = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastWriteAt = 0;
  /** No move from the journal is tried before this time (set after one failed). */
  private retryAfter = 0;

  constructor(private readonly h: IdleWorkHost) {}

  /** A write starts or ends now: pauses count from here. */
  wrote(): void {
    this.lastWriteAt = Date.now();
  }

  /** Compacts the run when writes pause. */
  compactSoon(runId: string): void {
    this.compactLater.add(runId);
    this.arm();
  }

  /** The run is being compacted in the write path: no need later. */
  compactingNow(runId: string): void {
    this.compactLater.delete(runId);
  }

  /** Stops the timer (the store is closing). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Moves some of the journal now (inside a write, when the journal grew too large); false when that failed. */
  async moveSome(): Promise<boolean> {
    if (Date.now() < this.retryAfter) return false;
    return this.moveStep();
  }

  /** Moves all of the journal's points to the histories now (closing, purging); rejects when that fails. */
  async drain(): Promise<void> {
    await this.h.settleSyncs();
    await this.h.redistributor.drain((runIds) => this.compactRetired(runIds));
  }

  /**
   * How long writes must have paused before the journal may be moved (undefined: nothing to move,
   * or a move failed lately), and before compaction may run (undefined: nothing to compact).
   */
  private needs(now: number): { journal: number | undefined; compact: number | undefined } {
    const journal = !this.h.redistributor.pending || now < this.retryAfter ? undefined : now - this.h.journal.pendingSince >= JOURNAL_AGE_MS ? COMPACT_IDLE_MS : JOURNAL_IDLE_MS;
    return { journal, compact: this.compactLater.size > 0 ? COMPACT_IDLE_MS : undefined };
  }

  /** Schedules {@link work} for when writes have paused long enough (checking again no sooner than `atLeast` ms from now). */
  arm(atLeast = 1): void {
    if (this.timer !== undefined || this.h.isClosed()) return;
    const now = Date.now();
    const need = this.needs(now);
    const least = Math.min(need.journal ?? Infinity, need.compact ?? Infinity);
    let wait: number;
    if (least < Infinity) wait = Math.max(atLeast, least - (now - this.lastWriteAt));
    else if (this.h.redistributor.pending) wait = this.retryAfter - now;
    else return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const at = Date.now();
      const quiet = at - this.lastWriteAt;
      const { journal, compact } = this.needs(at);
      const moving = journal !== undefined && quiet >= journal;
      if (this.h.queue.size === 0 && (moving || (compact !== undefined && quiet >= compact))) this.h.queue.run(() => this.work(moving)).catch(() => undefined);
      // A write in flight ends with a new pause to wait for.
      else this.arm(this.h.queue.size > 0 ? COMPACT_IDLE_MS : 1);
    }, Math.max(1, wait));
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Steps of background work while nothing else is queued: the journal first (when `moving`), then compaction. */
  private async work(moving: boolean): Promise<void> {
    for (;;) {
      if (this.h.isClosed()) return;
      if (moving && this.h.redistributor.pending) {
        if (!(await this.moveStep())) moving = false;
      } else if (this.compactLater.size > 0) {
        await this.compactSlice();
      } else break;
      // This task is the only one in the queue while its size is 1: nothing is waiting for it.
      if (this.h.queue.size > 1) break;
    }
    this.arm();
  }

  /** One step of moving the journal's points; false (and a warning) when it failed. */
  private async moveStep(): Promise<boolean> {
    try {
      await this.h.settleSyncs();
      this.compactRetired(await this.h.redistributor.step());
      return true;
    } catch (e) {
      this.retryAfter = Date.now() + RETRY_MS;
      this.h.warn(`moving the journal's points to the run histories failed; trying again in ${RETRY_MS / 1000} s: ${(e as Error).message}`);
      return false;
    }
  }

  /** Runs whose journal generations were retired: compacted later if they gathered enough small frames. */
  private compactRetired(runIds: string[]): void {
    for (const runId of runIds) {
      const r = this.h.run(runId);
      if (r && this.h.compactable(runId, r) && !this.h.journal.owns(runId)) this.compactLater.add(runId);
    }
  }

  private async compactSlice(): Promise<void> {
    const slice: string[] = [];
    for (const runId of this.compactLater) {
      if (slice.length === COMPACT_SLICE) break;
      this.compactLater.delete(runId);
      slice.push(runId);
    }
    await eachLimit(slice, 4, async (runId) => {
      const r = this.h.run(runId);
      // A run the journal owns is compacted once its generation is retired (compactRetired).
      if (this.h.isClosed() || !r || !this.h.compactable(runId, r) || this.h.journal.owns(runId)) return;
      await this.h.compact(runId, r);
    });
  }
}
