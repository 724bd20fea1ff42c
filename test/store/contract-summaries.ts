/**
 * Contract: a metric history cut for a chart (`getMetricHistorySummary`, or the
 * `metricHistorySummary` helper's fallback for stores without it) is the cut of the whole history.
 */
import { describe, expect, it } from "vitest";
import { cutHistory } from "../../src/downsample.js";
import { logBatches, metricHistorySummary } from "../../src/store/store.js";
import { cols, expectTrackerError, pt, T0, type ContractContext } from "./contract-helpers.js";

/** A run with 5,000 points of "loss" (steps 0, 2, 4, …) with a spike and a NaN, logged in batches of 1,000. */
async function longRun(ctx: ContractContext): Promise<string> {
  const runId = (await ctx.store.createRun({ experimentId: "0" })).info.runId;
  const entries = Array.from({ length: 5 }, (_, b) => ({
    runId,
    batch: { metrics: cols(...Array.from({ length: 1000 }, (_, i) => { const k = b * 1000 + i; return pt("loss", k === 3210 ? 50 : k === 77 ? NaN : Math.sin(k / 30), 2 * k, T0 + k); })) },
  }));
  await logBatches(ctx.store, entries);
  return runId;
}

export function summaryContract(ctx: ContractContext): void {
  describe("metric history summaries", () => {
    it("cut a history as the whole history is cut, with the number of points in the step range", async () => {
      const runId = await longRun(ctx);
      const whole = await ctx.store.getMetricHistory(runId, "loss");
      for (const options of [{}, { budget: 100 }, { budget: 40, stepRange: [1000, 6000] as const }, { budget: 40, rawLimit: 2000, stepRange: [1000, 3000] as const }]) {
        const cut = await metricHistorySummary(ctx.store, runId, "loss", options);
        expect(cut).toEqual(cutHistory(whole, options));
      }
      const small = await metricHistorySummary(ctx.store, runId, "loss", { budget: 100 });
      expect(small.count).toBe(5000);
      expect(small.steps.length).toBeLessThanOrEqual(100);
      expect(Array.from(small.values)).toContain(50);
      expect((await metricHistorySummary(ctx.store, runId, "loss", { budget: 100, stepRange: [10, 19] })).count).toBe(5);
    });

    it("cut a key the run never logged to nothing, and reject bad options and unknown runs", async () => {
      const runId = await longRun(ctx);
      const none = await metricHistorySummary(ctx.store, runId, "acc");
      expect([none.count, none.steps.length, none.values.length, none.timestamps.length]).toEqual([0, 0, 0, 0]);
      for (const bad of [{ budget: 3 }, { budget: 10.5 }, { rawLimit: -1 }, { stepRange: [5, 1] }, { stepRange: [NaN, 1] }, { stepRange: [1] }]) {
        await expectTrackerError(metricHistorySummary(ctx.store, runId, "loss", bad as never), "INVALID_PARAMETER_VALUE");
      }
      await expectTrackerError(metricHistorySummary(ctx.store, "f".repeat(32), "loss"), "RESOURCE_DOES_NOT_EXIST");
    });
  });
}
