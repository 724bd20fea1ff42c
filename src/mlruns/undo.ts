/**
 * The undo log of an import: every change to the target store is recorded with its inverse
 * before the next one is made, and a failed or cancelled import replays the inverses newest
 * first. With a store that can purge (remove runs and experiments for good) the store ends
 * exactly as before; without, what was created stays behind as deleted, and the error says so.
 *
 * @module
 */
import { isTrackerError, TrackerError } from "../errors.js";
import type { TrackingStore } from "../store/store.js";

/**
 * Optional store methods that remove a run or an experiment for good (MLflow's `gc`). The
 * `TrackingStore` interface does not have them (yet); the memory store does, and the importer
 * uses them when present.
 */
export type PurgingStore = TrackingStore & {
  purgeRun?(runId: string): Promise<void>;
  purgeExperiment?(experimentId: string): Promise<void>;
};

/** True when `store` can purge runs and experiments. */
export function canPurge(store: TrackingStore): boolean {
  const s = store as PurgingStore;
  return typeof s.purgeRun === "function" && typeof s.purgeExperiment === "function";
}

/** A stack of inverse operations. */
export class UndoLog {
  private readonly steps: { what: string; undo: () => Promise<void> }[] = [];
  /** Things an undo could only soft-delete (the store cannot purge). */
  readonly leftBehind: string[] = [];

  constructor(private readonly store: PurgingStore) {}

  push(what: string, undo: () => Promise<void>): void {
    this.steps.push({ what, undo });
  }

  /** Records a run the import is about to create: purged on undo, else deleted. */
  createdRun(runId: string): void {
    this.push(`run ${runId}`, async () => {
      try {
        if (this.store.purgeRun) return await this.store.purgeRun(runId);
        const run = await this.store.getRun(runId);
        if (run.info.lifecycleStage !== "deleted") await this.store.deleteRun(runId);
        this.leftBehind.push(`run ${runId}`);
      } catch (e) {
        // Recorded just before createRun: a run whose creation failed is not there to undo.
        if (!isTrackerError(e, "RESOURCE_DOES_NOT_EXIST")) throw e;
      }
    });
  }

  /** Records an experiment the import created: purged on undo, else deleted. */
  createdExperiment(experimentId: string): void {
    this.push(`experiment ${experimentId}`, async () => {
      if (this.store.purgeExperiment) return this.store.purgeExperiment(experimentId);
      const e = await this.store.getExperiment(experimentId);
      if (e.lifecycleStage !== "deleted") await this.store.deleteExperiment(experimentId);
      this.leftBehind.push(`experiment ${experimentId}`);
    });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Undoes everything, newest first; returns what could not be undone. */
  async rollback(onStep?: (done: number, total: number) => void): Promise<string[]> {
    const failures: string[] = [];
    const total = this.steps.length;
    let done = 0;
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.undo();
      } catch (e) {
        failures.push(`${step.what}: ${isTrackerError(e) ? e.message : String(e)}`);
      }
      onStep?.(++done, total);
    }
    return failures;
  }
}

/** The error a failed import rejects with: the cause, and the state of the store after the undo. */
export function importFailed(cause: unknown, failures: string[], leftBehind: string[]): TrackerError {
  const code = isTrackerError(cause) ? cause.code : "INTERNAL_ERROR";
  const message = cause instanceof Error ? cause.message : String(cause);
  let after = "Nothing was imported: the store is as it was before.";
  if (leftBehind.length > 0) {
    after = `The import was undone, but this store cannot remove runs or experiments for good (it has no purgeRun/purgeExperiment), so ${leftBehind.length} item(s) it created remain as deleted: ${leftBehind.slice(0, 5).join(", ")}${leftBehind.length > 5 ? ", …" : ""}.`;
  }
  if (failures.length > 0) after = `Undoing the import also failed for ${failures.length} step(s): ${failures.slice(0, 3).join("; ")}. The store may hold part of the import.`;
  return new TrackerError(code, `${message}${/[.!?]$/.test(message) ? "" : "."} ${after}`, { cause });
}
