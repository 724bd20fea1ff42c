import { deleteDB } from "idb";
import { afterAll, describe, expect, it } from "vitest";
import { openIdbStore, type IdbStore } from "../../src/store/idb/index.js";
import type { PackedFlush } from "../../src/store/store.js";
import { showMetricChart, showStoredMetricChart, type StoredChartHandle } from "../../widgets/index.js";

const name = `stored-chart-${Date.now()}`;
const handles: StoredChartHandle[] = [];
afterAll(async () => {
  handles.forEach((h) => h.finalize());
  await deleteDB(name);
});

type View = { scale(name: string): { domain(): number[] } };
/** The rows a live chart draws (a one-line chart strokes them itself: line-overlay.ts). */
const drawn = (chart: StoredChartHandle) => chart.rows() as { step: number; y: number }[];

/** One run with `n` points of "loss" (a sine with a spike at 123,456), in flushes of 100k. */
async function fill(store: IdbStore, n: number): Promise<string> {
  const runId = (await store.createRun({ experimentId: "0", runName: "big" })).info.runId;
  for (let at = 0; at < n; at += 100_000) {
    const m = Math.min(100_000, n - at);
    const steps = Float64Array.from({ length: m }, (_, i) => at + i);
    const flush: PackedFlush = { kv: [], runIds: [runId], keys: ["loss"], points: { runSlots: new Uint32Array(m), keyIds: new Uint32Array(m), steps, values: steps.map((s) => Math.sin(s / 1000) + (s === 123_456 ? 5 : 0)), timestamps: steps.map((s) => 1_700_000_000_000 + s) } };
    await store.logPacked(flush);
  }
  return runId;
}

function host(): HTMLElement {
  const el = document.createElement("div");
  document.body.append(el);
  return el;
}

describe("a live chart of stored histories in Chromium", () => {
  it("draws a 1M-point history from its summaries, and zoomed into 1% reads and draws every raw point of that range", async () => {
    const store = await openIdbStore(name);
    try {
      const runId = await fill(store, 1_000_000);
      const chart = await showStoredMetricChart(host(), store, [{ runId, runName: "big", key: "loss" }], { width: 600 });
      handles.push(chart);
      const view = chart.view as View;
      // The same rows as a chart of the whole history read into memory.
      const whole = await showMetricChart(host(), [{ runId, runName: "big", ...(await store.getMetricHistory(runId, "loss")) }], { width: 600 });
      handles.push(whole);
      expect(drawn(chart).map((r) => [r.step, r.y])).toEqual(drawn(whole).map((r) => [r.step, r.y]));
      expect(drawn(chart).length).toBeLessThanOrEqual(10_000);
      expect(drawn(chart).some((r) => r.step === 123_456)).toBe(true);

      await chart.zoom([300_000, 309_999]);
      expect(drawn(chart).map((r) => r.step)).toEqual(Array.from({ length: 10_000 }, (_, i) => 300_000 + i));
      const [lo, hi] = view.scale("x").domain();
      expect(lo).toBeCloseTo(300_000, -2);
      expect(hi).toBeCloseTo(309_999, -2);

      await chart.zoom();
      expect(drawn(chart).length).toBeLessThanOrEqual(10_000);
      expect(view.scale("x").domain()[1]).toBeGreaterThan(900_000);
    } finally {
      await store.close();
    }
  });
});
