/**
 * The first page of a run table in MLflow's base order (newest first, then run id) without
 * reading every run: what a table shows when it opens. The `newest` index orders each
 * experiment's runs by lifecycle stage, then `-startTime`, then (as every index does) by primary
 * key, the run id: that is the base order, so the page is the first `maxResults` entries of each
 * range (plus one, to know whether there are more). The shared search then orders and cuts that
 * small set exactly as it would all runs.
 *
 * @module
 */
import type { IDBPTransaction } from "idb";
import type { SearchRunsQuery } from "../../entities.js";
import { encodePageToken, runsQueryFingerprint } from "../../search/index.js";
import { resolveMaxResults, validateViewType } from "../../validation.js";
import type { RunRow, TrackbookDB } from "./schema.js";

type RunsTx = IDBPTransaction<TrackbookDB, "runs"[], "readonly">;

/** True for the first page of an unfiltered search in the base order. */
export function isNewestFirstPage(query: SearchRunsQuery): boolean {
  const noFilter = query.filter === undefined || (typeof query.filter === "string" && query.filter.trim() === "");
  const baseOrder = query.orderBy === undefined || (Array.isArray(query.orderBy) && query.orderBy.length === 0);
  return noFilter && baseOrder && (query.pageToken === undefined || query.pageToken === "");
}

/**
 * The runs the first page of `query` is cut from (see the module comment), and the page token
 * the full search would give (undefined when every run fits on the page).
 */
export async function newestRuns(tx: RunsTx, ids: readonly string[], query: SearchRunsQuery): Promise<{ rows: RunRow[]; nextPageToken: string | undefined }> {
  const max = resolveMaxResults(query.maxResults);
  const viewType = query.runViewType ?? "ACTIVE_ONLY";
  validateViewType(viewType);
  const stages = viewType === "ALL" ? ["active", "deleted"] : [viewType === "ACTIVE_ONLY" ? "active" : "deleted"];
  const index = tx.objectStore("runs").index("newest");
  const ranges = ids.flatMap((id) => stages.map((stage) => IDBKeyRange.bound([id, stage, -Infinity], [id, stage, Infinity])));
  // One row past the page tells whether there is more (cheaper than counting every run).
  const parts = await Promise.all(ranges.map((r) => index.getAll(r, max + 1)));
  const rows = parts.flat();
  return { rows, nextPageToken: rows.length > max ? encodePageToken(max, runsQueryFingerprint(query)) : undefined };
}
