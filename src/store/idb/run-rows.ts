/**
 * Run rows of the IndexedDB store: reading one with MLflow's error, the plain Run it stands
 * for, and removing a run with everything it holds.
 *
 * @module
 */
import type { Run } from "../../entities.js";
import { notFound } from "../../validation.js";
import type { Names, Tx } from "./connection.js";
import type { RunRow } from "./schema.js";

/** The run's row through `tx`; RESOURCE_DOES_NOT_EXIST when there is none. */
export async function runRow(tx: Tx<Names, IDBTransactionMode>, runId: string): Promise<RunRow> {
  const row = await tx.objectStore("runs").get(runId);
  if (!row) throw notFound.run(runId);
  return row;
}

/** The plain Run a row stands for (latest points become values). */
export function view(row: RunRow): Run {
  const metrics: Record<string, number> = {};
  for (const [k, p] of Object.entries(row.latest)) metrics[k] = p.value;
  return { info: row.info, data: { params: row.params, tags: row.tags, metrics } };
}

/** Deletes everything of one run through `tx` (the run's keys all start with its id). */
export async function purgeRunIn(tx: Tx<Names, "readwrite">, runId: string): Promise<void> {
  const range = IDBKeyRange.bound([runId], [runId, []]);
  await Promise.all([
    tx.objectStore("runs").delete(runId),
    tx.objectStore("series").delete(range),
    tx.objectStore("chunks").delete(range),
    tx.objectStore("summaries").delete(range),
    tx.objectStore("artifacts").delete(range),
  ]);
}
