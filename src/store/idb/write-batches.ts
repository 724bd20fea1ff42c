/**
 * Applying log batches inside one readwrite transaction: the part of a flush that runs after
 * the batches were validated on their own and the transaction was opened.
 *
 * Rules (stated here, as idb's database-extras states its own):
 * 1. Everything is read through the transaction before anything is written, and each batch is
 *    checked against the run as the earlier batches of the same call leave it; a batch that fails
 *    there writes nothing, the others go on (the error is kept for the caller).
 * 2. Writes are issued, never awaited one by one; the caller resolves only after `tx.done`.
 *    A transaction that fails to commit (quota) stores none of the call, so earlier data stays.
 * 3. Nothing but IndexedDB requests is awaited: any other await would let the transaction commit.
 *
 * @module
 */
import type { IDBPTransaction } from "idb";
import type { MetricColumns } from "../../entities.js";
import { TrackerError } from "../../errors.js";
import { notFound } from "../../validation.js";
import { assertRunActive, newParams, RUN_NAME_TAG } from "../run-rules.js";
import type { BatchEntry } from "../store.js";
import { appendPoints, type Points } from "./chunks.js";
import { foldLatest, groupByKey } from "./group.js";
import type { ChunkRow, RunRow, TrackbookDB } from "./schema.js";
import { summaryOf } from "./summaries.js";

/** The stores a flush writes. */
export const BATCH_STORES = ["runs", "series", "chunks", "summaries"] as const;

export type BatchTx = IDBPTransaction<TrackbookDB, ["runs", "series", "chunks", "summaries"], "readwrite">;

type Plan = { row: RunRow; changed: boolean; metrics: MetricColumns[] };

/**
 * Applies `entries[i]` for every `i` in `valid` (already validated on their own) through `tx`,
 * recording a per-entry failure in `errors[i]`.
 */
export async function applyBatches(tx: BatchTx, entries: readonly BatchEntry[], valid: readonly number[], errors: unknown[]): Promise<void> {
  const runs = tx.objectStore("runs");
  const ids = [...new Set(valid.map((i) => entries[i]!.runId))];
  const rows = await Promise.all(ids.map((id) => runs.get(id)));
  const plans = new Map<string, Plan>();
  ids.forEach((id, k) => rows[k] && plans.set(id, { row: rows[k], changed: false, metrics: [] }));

  for (const i of valid) {
    const { runId, batch } = entries[i]!;
    try {
      const plan = plans.get(runId);
      if (plan === undefined) throw notFound.run(runId);
      const row = plan.row;
      assertRunActive(row.info);
      // newParams is the only check that can fail here, and it runs before this batch changes anything.
      for (const p of newParams(row.params, batch.params)) {
        row.params[p.key] = p.value;
        plan.changed = true;
      }
      for (const t of batch.tags ?? []) {
        row.tags[t.key] = t.value;
        if (t.key === RUN_NAME_TAG) row.info = { ...row.info, runName: t.value };
        plan.changed = true;
      }
      if (batch.metrics && batch.metrics.values.length > 0) {
        plan.metrics.push(batch.metrics);
        plan.changed = true;
      }
    } catch (e) {
      errors[i] = e;
    }
  }

  const work: { runId: string; key: string; points: Points }[] = [];
  for (const [runId, plan] of plans) {
    if (plan.metrics.length === 0) continue;
    for (const [key, points] of groupByKey(plan.metrics)) {
      foldLatest(plan.row.latest, key, points);
      work.push({ runId, key, points });
    }
  }
  const writes: Promise<unknown>[] = [];
  // Handled at once: a write may fail while this function still awaits a read, and that must not
  // count as an unhandled rejection (the final Promise.all still sees it).
  const issue = (p: Promise<unknown>) => {
    p.catch(() => undefined);
    writes.push(p);
  };
  const series = tx.objectStore("series");
  const chunks = tx.objectStore("chunks");
  const summaries = tx.objectStore("summaries");
  const states = await Promise.all(work.map((w) => series.get([w.runId, w.key])));
  await Promise.all(
    work.map(async ({ runId, key, points }, k) => {
      const s = states[k] ?? { runId, key, next: 0, open: [], ascending: true };
      const written = new Map<number, ChunkRow>();
      await appendPoints(s, points, {
        get: async (no) => {
          const row = written.get(no) ?? (await chunks.get([runId, key, no]));
          if (row === undefined) throw new TrackerError("INTERNAL_ERROR", `The history of metric '${key}' in run ${runId} is missing chunk ${no}.`);
          return row;
        },
        put: (row) => {
          written.set(row.chunkNo, row);
          issue(chunks.put(row));
          // A chunk's summary changes with it; one that no longer gets a summary loses the old one.
          const summary = summaryOf(row);
          issue(summary ? summaries.put(summary) : summaries.delete([runId, key, row.chunkNo]));
        },
        delete: (no) => {
          written.delete(no);
          issue(chunks.delete([runId, key, no]));
          issue(summaries.delete([runId, key, no]));
        },
      });
      issue(series.put(s));
    }),
  );
  for (const plan of plans.values()) if (plan.changed) issue(runs.put(plan.row));
  await Promise.all(writes);
}
