import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { openIdbStore } from "../../src/store/idb/index.js";
import { logBatches, type TrackingStore } from "../../src/store/store.js";
import { loadChartSeries, metricChartSpec, type MetricChartOptions } from "../../widgets/index.js";

/** Three runs of `n` points of "loss" (noise with a spike each) logged to `store`. */
async function fill(store: TrackingStore, n: number): Promise<{ runId: string; runName: string; key: string }[]> {
  const refs = [];
  for (let r = 0; r < 3; r++) {
    const runId = (await store.createRun({ experimentId: "0", runName: `run-${r}` })).info.runId;
    const entries = [];
    for (let at = 0; at < n; at += 1000) {
      const m = Math.min(1000, n - at);
      const steps = Float64Array.from({ length: m }, (_, i) => at + i);
      const values = steps.map((s) => (s === 4321 * (r + 1) ? 30 : Math.sin(s / 40 + r) + ((s * 7919) % 101) / 500));
      entries.push({ runId, batch: { metrics: { keys: ["loss"], keyIds: new Uint32Array(m), steps, values, timestamps: steps.map((s) => 1_700_000_000_000 + s) } } });
    }
    await logBatches(store, entries);
    refs.push({ runId, runName: `run-${r}`, key: "loss" });
  }
  return refs;
}

const rowsOf = (spec: object) => (spec as { data: { values: object[] } }).data.values;

describe("loadChartSeries", () => {
  for (const [name, open] of [["IndexedDB (chunk summaries)", () => openIdbStore(`stored-series-${Date.now()}`)], ["memory (cut here)", async () => new MemoryStore()]] as const) {
    it(`gives a chart the rows a chart of the whole histories has, zoomed or not: ${name}`, async () => {
      const store = await open();
      try {
        const refs = await fill(store, 150_000);
        const whole = await Promise.all(refs.map(async (r) => ({ ...r, ...(await store.getMetricHistory(r.runId, r.key)) })));
        for (const options of [{ width: 120 }, { width: 120, xDomain: [20_000, 90_000] }, { width: 300, xDomain: [5000, 5999] }] as MetricChartOptions[]) {
          const cut = await loadChartSeries(store, refs, options);
          expect(cut.map((s) => s.points)).toEqual(options.xDomain ? refs.map(() => options.xDomain![1] - options.xDomain![0] + 1) : [150_000, 150_000, 150_000]);
          expect(rowsOf(metricChartSpec(cut, options))).toEqual(rowsOf(metricChartSpec(whole, options)));
        }
      } finally {
        await store.close();
      }
    });
  }

  it("reads whole histories for a chart that needs every point (smoothing, time on the x axis)", async () => {
    const store = new MemoryStore();
    const refs = await fill(store, 3000);
    for (const options of [{ smoothing: 0.5 }, { x: "time" }] as MetricChartOptions[]) {
      const series = await loadChartSeries(store, refs, options);
      expect(series.map((s) => s.values.length)).toEqual([3000, 3000, 3000]);
    }
  });
});
