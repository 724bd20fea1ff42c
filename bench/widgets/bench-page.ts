/**
 * The widget benchmarks (T3 and the run table of T2), run in a Chromium page by
 * bench/widgets.bench.mjs. Each is measured beside handing the same data to vega without
 * downsampling, in the same page and run; a peer that passes the time limit is stopped (or, on
 * the page, timed once and reported as over the limit). Results go to `window.benchResult`.
 *
 * Query: `scale` (default 1; --quick uses 0.1), `only` (comma-separated benchmark names).
 */
import { deleteDB } from "idb";
import type { Run } from "../../src/entities.js";
import { openIdbStore } from "../../src/store/idb/index.js";
import type { PackedFlush } from "../../src/store/store.js";
import { metricChartSpec, runTableSpec, show, showRunTable, showStoredMetricChart, type ChartSeries } from "../../widgets/index.js";
import { median, runBenchmarks, SCALE } from "../page-util.js";

const LIMIT_MS = 20_000;
const n = (x: number) => Math.max(1, Math.round(x * SCALE));
const dbs: string[] = [];
const dbName = (what: string) => {
  const name = `wbench-${Date.now()}-${what}`;
  dbs.push(name);
  return name;
};

/**
 * Resolves once what was drawn has been painted: the next frame's callback, then a task queued
 * from it, which runs after that frame is painted.
 */
const painted = () =>
  new Promise<void>((r) =>
    requestAnimationFrame(() => {
      const c = new MessageChannel();
      c.port1.onmessage = () => r();
      c.port2.postMessage(null);
    }),
  );

function host(): HTMLElement {
  const el = document.createElement("div");
  document.body.append(el);
  return el;
}

/** Writes `runs` runs of `points` points of "loss" (a noisy decay with spikes) in packed flushes of 100k. */
async function fill(name: string, runs: number, points: number): Promise<string[]> {
  const store = await openIdbStore(name);
  const ids: string[] = [];
  for (let r = 0; r < runs; r++) {
    const runId = (await store.createRun({ experimentId: "0", runName: `run-${r}` })).info.runId;
    ids.push(runId);
    for (let s = 0; s < points; s += 100_000) {
      const m = Math.min(100_000, points - s);
      const steps = Float64Array.from({ length: m }, (_, i) => s + i);
      const values = steps.map((x) => 1 / Math.sqrt(1 + x / 1000) + 0.05 * Math.sin(x / 50 + r) + (x % 99_991 === 0 ? 2 : 0));
      const flush: PackedFlush = { kv: [], runIds: [runId], keys: ["loss"], points: { runSlots: new Uint32Array(m), keyIds: new Uint32Array(m), values, steps, timestamps: steps.map((x) => 1_700_000_000_000 + x) } };
      await store.logPacked(flush);
    }
  }
  await store.close();
  return ids;
}

/**
 * New connection → each series' cut for the chart (from the store's chunk summaries, all series
 * read at once) → chart painted; returns the time, and the chart with its store still open (its
 * zoom reads the store).
 */
async function coldChart(name: string, runIds: string[]) {
  const el = host();
  const t0 = performance.now();
  const store = await openIdbStore(name);
  const chart = await showStoredMetricChart(el, store, runIds.map((runId, i) => ({ runId, runName: `run-${i}`, key: "loss" })), { width: 600 });
  await painted();
  const ms = performance.now() - t0;
  const takeDown = async () => {
    chart.finalize();
    el.remove();
    await store.close();
  };
  return { ms, chart, takeDown };
}

/** `times` cold charts (each taken down before the next); the last one stays up. */
async function coldCharts(times: number, name: string, ids: string[]) {
  let last: Awaited<ReturnType<typeof coldChart>> | undefined;
  const cold = await median(times, async () => {
    await last?.takeDown();
    last = await coldChart(name, ids);
    return last.ms;
  });
  return { cold, last: last! };
}

/** The whole histories, for the peer (not timed). */
async function histories(name: string, runIds: string[]): Promise<ChartSeries[]> {
  const store = await openIdbStore(name);
  try {
    return await Promise.all(runIds.map(async (id, i) => ({ runId: id, runName: `run-${i}`, ...(await store.getMetricHistory(id, "loss")) })));
  } finally {
    await store.close();
  }
}

/** The same series handed whole to vega on the page (canvas), timed once. */
async function rawOnPage(series: ChartSeries[]) {
  const el = host();
  const t0 = performance.now();
  const spec = metricChartSpec(series, { width: 600, budget: Number.MAX_SAFE_INTEGER });
  const shown = await show(el, spec);
  await painted();
  return { ms: performance.now() - t0, shown, el };
}

/** The same series handed whole to vega's dataflow in a worker, stopped at the limit. */
function rawInWorker(series: ChartSeries[]): Promise<{ ms: number; overLimit: boolean }> {
  const worker = new Worker(new URL("./vega-raw-worker.ts", import.meta.url), { type: "module" });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.terminate();
      resolve({ ms: performance.now() - t0, overLimit: true });
    }, LIMIT_MS);
    worker.onmessage = () => {
      clearTimeout(timer);
      worker.terminate();
      resolve({ ms: performance.now() - t0, overLimit: false });
    };
    worker.onerror = (e) => reject(new Error(`vega worker: ${e.message}`));
    worker.postMessage({ series: series.map((s) => ({ runId: s.runId, steps: Float64Array.from(s.steps), values: Float64Array.from(s.values) })), width: 600 });
  });
}

/** T3: one 1M-point series from IndexedDB to a painted chart, and zoom re-renders. */
async function chart1M() {
  const points = n(1_000_000);
  const name = dbName("chart1m");
  const ids = await fill(name, 1, points);
  const { cold, last } = await coldCharts(5, name, ids);
  // Zooms into 1% and 10% windows at different places, each re-cut from the chunks of that range.
  const windows = Array.from({ length: 10 }, (_, k) => {
    const width = (k % 2 ? 0.1 : 0.01) * points;
    const lo = Math.floor(((k * 0.37) % 0.85) * points);
    return [lo, lo + width - 1] as const;
  });
  const zoom = await median(windows.length, async () => {
    const w = windows.shift()!;
    const t0 = performance.now();
    await last.chart.zoom(w);
    await painted();
    return performance.now() - t0;
  });
  await last.takeDown();
  const raw = await rawOnPage(await histories(name, ids));
  const view = raw.shown.view as { signal(n: string, v: unknown): unknown; runAsync(): Promise<unknown> };
  const rawZoom = await median(3, async () => {
    const t0 = performance.now();
    view.signal("zoom_x", [points * 0.4, points * 0.41]);
    await view.runAsync();
    await painted();
    return performance.now() - t0;
  });
  raw.shown.finalize();
  raw.el.remove();
  return {
    points,
    trackbook: { cold, zoom },
    vegaRaw: { coldMs: raw.ms, overLimit: raw.ms > LIMIT_MS, zoom: rawZoom },
    ratio: raw.ms / cold.medianMs,
    ratioZoom: rawZoom.medianMs / zoom.medianMs,
    goals: { coldMs: 250, zoomMs: 50 },
    met: { cold: cold.medianMs <= 250, zoom: zoom.medianMs <= 50 },
  };
}

/** T3: 10 runs × 1M points from IndexedDB to one painted chart. */
async function chart10x1M() {
  const points = n(1_000_000);
  const name = dbName("chart10");
  const ids = await fill(name, 10, points);
  const { cold, last } = await coldCharts(3, name, ids);
  await last.takeDown();
  const raw = await rawInWorker(await histories(name, ids));
  return {
    runs: 10,
    pointsPerRun: points,
    trackbook: cold,
    vegaRaw: { ...raw, limitMs: LIMIT_MS, note: "vega dataflow only (renderer none, no paint) in a worker, stopped at the limit" },
    ratio: raw.ms / cold.medianMs,
    ratioIsLowerBound: raw.overLimit,
    goalMs: 600,
    met: cold.medianMs <= 600,
  };
}

function syntheticRuns(count: number): Run[] {
  return Array.from({ length: count }, (_, i) => ({
    info: { runId: i.toString(16).padStart(32, "0"), runName: `run-${i}`, experimentId: "1", userId: "bench", status: "FINISHED", startTime: 1_700_000_000_000 + i * 1000, endTime: 1_700_000_060_000 + i * 1000, artifactUri: "", lifecycleStage: "active" },
    data: { params: { lr: String(10 ** -(i % 5)), batch: String(16 << (i % 4)), optimizer: i % 2 ? "adam" : "sgd" }, metrics: { loss: ((i * 7919) % 10_007) / 10_007, accuracy: ((i * 104_729) % 10_007) / 10_007 }, tags: { team: "vision" } },
  }));
}

/** T2: a 10k-row run table to first paint (runs already in memory, as searchRuns returns them). */
async function table10k() {
  const runs = syntheticRuns(n(10_000));
  let handle: ReturnType<typeof showRunTable> | undefined;
  const first = await median(5, async () => {
    handle?.finalize();
    const el = host();
    const t0 = performance.now();
    handle = showRunTable(el, runs);
    await painted();
    return performance.now() - t0;
  });
  const sort = await median(5, async () => {
    const t0 = performance.now();
    handle!.sortBy("metrics.loss", "ASC");
    await painted();
    const ms = performance.now() - t0;
    handle!.sortBy("attributes.start_time", "DESC");
    return ms;
  });
  handle?.finalize();
  const el = host();
  const t0 = performance.now();
  const shown = await show(el, runTableSpec(runs, { maxRows: runs.length }));
  await painted();
  const rawMs = performance.now() - t0;
  shown.finalize();
  el.remove();
  return { runs: runs.length, trackbook: { firstPaint: first, sortByMetric: sort }, vegaRaw: { ms: rawMs, overLimit: rawMs > LIMIT_MS, note: "every row as vega text marks" }, ratio: rawMs / first.medianMs, goalMs: 300, met: first.medianMs <= 300 };
}

runBenchmarks("widgets in Chromium", [["chart1M", chart1M], ["chart10x1M", chart10x1M], ["table10k", table10k]], () => Promise.all(dbs.map((d) => deleteDB(d))));
