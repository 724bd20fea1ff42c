/**
 * The naive IndexedDB design the benchmark compares against, measured in the same page: one
 * record per point (`{runId, key, step, value, timestamp}`), one transaction per call, and run
 * tables built from per-value records (MLflow's SQL layout: a row per param, tag and metric).
 */
import { openDB, type IDBPDatabase } from "idb";

export type NaiveDB = IDBPDatabase;

export async function openNaive(name: string): Promise<NaiveDB> {
  return openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore("points", { keyPath: ["runId", "key", "step"] });
      db.createObjectStore("runs", { keyPath: "runId" });
      db.createObjectStore("values", { keyPath: ["runId", "kind", "key"] });
    },
  });
}

/** logMetric, naively: one readwrite transaction holding one record, not awaited by the caller. */
export function naiveLog(db: NaiveDB, runId: string, key: string, value: number, step: number): Promise<void> {
  const tx = db.transaction("points", "readwrite");
  void tx.store.put({ runId, key, step, value, timestamp: Date.now() });
  return tx.done;
}

/** A metric history, naively: every point record of the key, then columns built from them. */
export async function naiveHistory(db: NaiveDB, runId: string, key: string) {
  const rows = await db.getAll("points", IDBKeyRange.bound([runId, key, -Infinity], [runId, key, Infinity]));
  const n = rows.length;
  const h = { steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    h.steps[i] = rows[i].step;
    h.values[i] = rows[i].value;
    h.timestamps[i] = rows[i].timestamp;
  }
  return h;
}

/** Writes `n` point records in transactions of 10,000 (setting up a read benchmark, not timed). */
export async function naiveFill(db: NaiveDB, runId: string, key: string, n: number): Promise<void> {
  for (let s = 0; s < n; s += 10_000) {
    const tx = db.transaction("points", "readwrite");
    for (let i = s; i < Math.min(n, s + 10_000); i++) void tx.store.put({ runId, key, step: i, value: Math.sin(i), timestamp: 1 });
    await tx.done;
  }
}

/** The first `limit` runs, newest first or by metric `m0` descending, from per-value records. */
export async function naiveRunTable(db: NaiveDB, order: "start" | "m0", limit: number) {
  const tx = db.transaction(["runs", "values"], "readonly");
  const [infos, values] = await Promise.all([tx.objectStore("runs").getAll(), tx.objectStore("values").getAll()]);
  const runs = new Map<string, { info: unknown; params: Record<string, string>; tags: Record<string, string>; metrics: Record<string, number> }>();
  for (const info of infos) runs.set(info.runId, { info, params: {}, tags: {}, metrics: {} });
  for (const v of values) {
    const r = runs.get(v.runId);
    if (!r) continue;
    if (v.kind === "param") r.params[v.key] = v.value;
    else if (v.kind === "tag") r.tags[v.key] = v.value;
    else r.metrics[v.key] = v.value;
  }
  const key = (r: { info: unknown; metrics: Record<string, number> }) => (order === "start" ? (r.info as { startTime: number }).startTime : r.metrics.m0 ?? -Infinity);
  return [...runs.values()].sort((a, b) => key(b) - key(a)).slice(0, limit);
}
