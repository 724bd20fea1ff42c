/**
 * A store wrapper that records each logBatch and can be told to fail: the one fault a real store
 * does not produce on demand. Used in addition to real stores, never instead of them.
 */
import type { LogBatch } from "../../src/entities.js";
import { TrackerError } from "../../src/errors.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";

export class SpyStore extends MemoryStore {
  readonly batches: { runId: string; metrics: number; params: number; tags: number }[] = [];
  /** While set, logBatch rejects with this error (after recording the attempt). */
  failWith: Error | undefined;

  override async logBatch(runId: string, batch: LogBatch): Promise<void> {
    this.batches.push({
      runId,
      metrics: batch.metrics?.values.length ?? 0,
      params: batch.params?.length ?? 0,
      tags: batch.tags?.length ?? 0,
    });
    if (this.failWith) throw this.failWith;
    return super.logBatch(runId, batch);
  }
}

export const diskFull = () => new TrackerError("RESOURCE_EXHAUSTED", "disk full");
