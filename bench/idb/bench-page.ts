/**
 * The IndexedDB benchmarks, run in a Chromium page by bench/idb.bench.mjs. Every figure is
 * measured beside the naive design (naive.ts) in the same page and run, and reported with the
 * ratio. Results go to `window.benchResult`; progress to the console.
 *
 * Query: `scale` (default 1; the driver's --quick uses 0.1), `only` (comma-separated benchmark names).
 */
import { deleteDB } from "idb";
import { openTracker } from "../../src/index.js";
import { openIdbStore } from "../../src/store/idb/index.js";
import type { PackedFlush } from "../../src/store/store.js";
import { browserWorkerOf, openBrowserWorkerStore } from "../../worker/browser-client.js";
import { median, quantiles, runBenchmarks, SCALE, yieldNow } from "../page-util.js";
import * as naive from "./naive.js";

const PREFIX = `bench-${Date.now()}`;
const dbs: string[] = [];
const dbName = (what: string) => {
  const n = `${PREFIX}-${what}`;
  dbs.push(n);
  return n;
};
const n = (x: number) => Math.max(1, Math.round(x * SCALE));

/** T1, calling thread: amortized cost of one logMetric, in blocks (a single call is below the timer's resolution). */
async function callingThread() {
  const BLOCK = 20_000;
  const calls = n(2_000_000);
  const tb = await openTracker(`idb:${dbName("calls")}`);
  const run = await tb.startRun({ runName: "calls" });
  for (let i = 0; i < 200_000; i++) run.logMetric("warmup", i, i);
  await run.flush();
  const perCall: number[] = [];
  for (let b = 0; b < calls / BLOCK; b++) {
    const t0 = performance.now();
    for (let i = b * BLOCK; i < (b + 1) * BLOCK; i++) run.logMetric("loss", 1 / (i + 1), i);
    perCall.push(((performance.now() - t0) * 1e6) / BLOCK);
    await yieldNow();
  }
  await run.flush();
  const stored = (await tb.getMetricHistory(run.runId, "loss")).steps.length;
  if (stored !== calls) throw new Error(`stored ${stored} of ${calls} points`);
  const inWorker = browserWorkerOf(tb.store) !== undefined;
  await tb.close();

  const db = await naive.openNaive(dbName("naive-calls"));
  const naiveCalls = n(20_000);
  const NB = 1_000;
  const naivePerCall: number[] = [];
  for (let b = 0; b < naiveCalls / NB; b++) {
    const pending: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = b * NB; i < (b + 1) * NB; i++) pending.push(naive.naiveLog(db, "r", "loss", 1 / (i + 1), i));
    naivePerCall.push(((performance.now() - t0) * 1e6) / NB);
    await Promise.all(pending);
  }
  db.close();
  const t = quantiles(perCall);
  const nv = quantiles(naivePerCall);
  return {
    trackbook: { calls, block: BLOCK, p50Ns: t.p50, p99Ns: t.p99, inWorker },
    naive: { calls: naiveCalls, block: NB, p50Ns: nv.p50, p99Ns: nv.p99 },
    ratio: nv.p50 / t.p50,
    goalNs: 200,
    met: t.p50 <= 200,
  };
}

/** T1, ingest: points per second from the first logMetric until flush() resolved (all committed). */
async function ingest() {
  const keys = ["loss", "acc", "val_loss", "val_acc"];
  const steps = n(1_000_000);
  const tb = await openTracker(`idb:${dbName("ingest")}`);
  const run = await tb.startRun({ runName: "ingest" });
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    for (let k = 0; k < 4; k++) run.logMetric(keys[k]!, s + k, s);
    if ((s & 4095) === 4095) await yieldNow();
  }
  const callsMs = performance.now() - t0;
  await run.flush();
  const ms = performance.now() - t0;
  for (const key of keys) {
    const got = (await tb.getMetricHistory(run.runId, key)).steps.length;
    if (got !== steps) throw new Error(`${key}: stored ${got} of ${steps} points`);
  }
  await tb.close();
  const points = steps * 4;

  const db = await naive.openNaive(dbName("naive-ingest"));
  const naivePoints = n(10_000);
  const pending: Promise<void>[] = [];
  const n0 = performance.now();
  for (let i = 0; i < naivePoints; i++) {
    pending.push(naive.naiveLog(db, "r", keys[i % 4]!, i, i >> 2));
    if ((i & 1023) === 1023) await yieldNow();
  }
  await Promise.all(pending);
  const naiveMs = performance.now() - n0;
  db.close();
  const rate = points / (ms / 1000);
  const naiveRate = naivePoints / (naiveMs / 1000);
  return {
    trackbook: { points, keys: 4, ms, callsMs, pointsPerSec: rate },
    naive: { points: naivePoints, ms: naiveMs, pointsPerSec: naiveRate },
    ratio: rate / naiveRate,
    goalPointsPerSec: 1_000_000,
    met: rate >= 1_000_000,
  };
}

/** Fills `runs` run summaries (20 params, 10 tags, 10 metrics each) into a trackbook database. */
async function fillRuns(name: string, runs: number): Promise<string> {
  const store = await openIdbStore(name);
  const exp = await store.createExperiment({ name: "table" });
  for (let r0 = 0; r0 < runs; r0 += 500) {
    const ids: string[] = [];
    for (let r = r0; r < Math.min(runs, r0 + 500); r++) ids.push((await store.createRun({ experimentId: exp, runName: `run-${r}` })).info.runId);
    await store.logBatches(
      ids.map((runId, i) => ({
        runId,
        batch: {
          params: Array.from({ length: 20 }, (_, p) => ({ key: `p${p}`, value: String((r0 + i) % (p + 2)) })),
          tags: Array.from({ length: 10 }, (_, t) => ({ key: `t${t}`, value: `v${(r0 + i) % (t + 3)}` })),
          metrics: { keys: Array.from({ length: 10 }, (_, k) => `m${k}`), keyIds: Uint32Array.from({ length: 10 }, (_, k) => k), values: Float64Array.from({ length: 10 }, (_, k) => Math.sin(r0 + i + k)), steps: new Float64Array(10), timestamps: new Float64Array(10).fill(1) },
        },
      })),
    );
  }
  await store.close();
  return exp;
}

/** The same runs as per-value records (the naive layout). */
async function fillNaiveRuns(name: string, runs: number): Promise<void> {
  const db = await naive.openNaive(name);
  const tx = db.transaction(["runs", "values"], "readwrite");
  for (let r = 0; r < runs; r++) {
    const runId = `run-${r}`;
    void tx.objectStore("runs").put({ runId, runName: runId, status: "FINISHED", startTime: r });
    for (let p = 0; p < 20; p++) void tx.objectStore("values").put({ runId, kind: "param", key: `p${p}`, value: String(r % (p + 2)) });
    for (let t = 0; t < 10; t++) void tx.objectStore("values").put({ runId, kind: "tag", key: `t${t}`, value: `v${r % (t + 3)}` });
    for (let k = 0; k < 10; k++) void tx.objectStore("values").put({ runId, kind: "metric", key: `m${k}`, value: Math.sin(r + k) });
  }
  await tx.done;
  db.close();
}

/**
 * T2: a new connection, then the first 50 rows of a run table: as it opens (MLflow's base order,
 * newest first: read through the `newest` index) and sorted by a metric (every run read).
 */
async function runTable() {
  const big = n(10_000);
  const small = n(1_000);
  const coldRows = (name: string, exp: string, orderBy: string[]) => async () => {
    const t0 = performance.now();
    const store = await openIdbStore(name);
    const page = await store.searchRuns({ experimentIds: [exp], orderBy, maxResults: 50 });
    const ms = performance.now() - t0;
    if (page.runs.length !== 50) throw new Error(`got ${page.runs.length} rows`);
    await store.close();
    return ms;
  };
  const naiveRows = (name: string, order: "start" | "m0") => async () => {
    const t0 = performance.now();
    const db = await naive.openNaive(name);
    const rows = await naive.naiveRunTable(db, order, 50);
    const ms = performance.now() - t0;
    if (rows.length !== 50) throw new Error(`naive: got ${rows.length} rows`);
    db.close();
    return ms;
  };
  const bigName = dbName("table-big");
  const bigExp = await fillRuns(bigName, big);
  const smallName = dbName("table-small");
  const smallExp = await fillRuns(smallName, small);
  const naiveName = dbName("naive-table");
  await fillNaiveRuns(naiveName, small);
  const byMetric = ["metrics.m0 DESC"];
  const open10k = await median(5, coldRows(bigName, bigExp, []));
  const sorted10k = await median(5, coldRows(bigName, bigExp, byMetric));
  const open1k = await median(5, coldRows(smallName, smallExp, []));
  const sorted1k = await median(5, coldRows(smallName, smallExp, byMetric));
  const naiveOpen = await median(5, naiveRows(naiveName, "start"));
  const naiveSorted = await median(5, naiveRows(naiveName, "m0"));
  return {
    trackbook: { runs: big, open: open10k, sortedByMetric: sorted10k },
    trackbookSameScale: { runs: small, open: open1k, sortedByMetric: sorted1k },
    naive: { runs: small, open: naiveOpen, sortedByMetric: naiveSorted },
    ratio: naiveOpen.medianMs / open1k.medianMs,
    ratioSortedByMetric: naiveSorted.medianMs / sorted1k.medianMs,
    ratioNote: "naive and trackbook both at the smaller run count",
    goalMs: 300,
    met: open10k.medianMs <= 300,
  };
}

/** Writes `points` of one key the way a worker receives them: packed flushes of 100k. */
async function fillHistory(name: string, points: number): Promise<string> {
  const store = await openIdbStore(name);
  const runId = (await store.createRun({ experimentId: "0" })).info.runId;
  for (let s = 0; s < points; s += 100_000) {
    const m = Math.min(100_000, points - s);
    const steps = Float64Array.from({ length: m }, (_, i) => s + i);
    const flush: PackedFlush = { kv: [], runIds: [runId], keys: ["loss"], points: { runSlots: new Uint32Array(m), keyIds: new Uint32Array(m), values: steps.map(Math.sin), steps, timestamps: new Float64Array(m).fill(1) } };
    await store.logPacked(flush);
  }
  await store.close();
  return runId;
}

/** getMetricHistory on a new connection. */
async function history() {
  const big = n(1_000_000);
  const small = n(100_000);
  const cold = async (name: string, runId: string, expect: number) => {
    const t0 = performance.now();
    const store = await openIdbStore(name);
    const h = await store.getMetricHistory(runId, "loss");
    const ms = performance.now() - t0;
    if (h.steps.length !== expect) throw new Error(`history has ${h.steps.length} of ${expect}`);
    await store.close();
    return ms;
  };
  const bigName = dbName("history-big");
  const bigRun = await fillHistory(bigName, big);
  const smallName = dbName("history-small");
  const smallRun = await fillHistory(smallName, small);
  const naiveName = dbName("naive-history");
  const ndb = await naive.openNaive(naiveName);
  await naive.naiveFill(ndb, "r", "loss", small);
  ndb.close();
  const t1m = await median(5, () => cold(bigName, bigRun, big));
  const t100k = await median(5, () => cold(smallName, smallRun, small));
  const nv = await median(5, async () => {
    const t0 = performance.now();
    const db = await naive.openNaive(naiveName);
    const h = await naive.naiveHistory(db, "r", "loss");
    const ms = performance.now() - t0;
    if (h.steps.length !== small) throw new Error(`naive history has ${h.steps.length}`);
    db.close();
    return ms;
  });
  // What a page's tracker sees: the same read in the worker, the columns cloned back to the page.
  const remote = await openBrowserWorkerStore(`idb:${bigName}`);
  const viaWorker = await median(5, async () => {
    const t0 = performance.now();
    await remote.getMetricHistory(bigRun, "loss");
    return performance.now() - t0;
  });
  await remote.close();
  return {
    trackbook: { points: big, ...t1m, viaWorkerMedianMs: viaWorker.medianMs },
    trackbookSameScale: { points: small, ...t100k },
    naive: { points: small, ...nv },
    ratio: nv.medianMs / t100k.medianMs,
    ratioNote: "naive and trackbook both at the smaller point count",
    goalMs: 200,
    met: t1m.medianMs <= 200,
  };
}

runBenchmarks("IndexedDB store in Chromium", [["callingThread", callingThread], ["ingest", ingest], ["runTable", runTable], ["history", history]], () => Promise.all(dbs.map((d) => deleteDB(d))));
