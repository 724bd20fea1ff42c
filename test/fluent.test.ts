import { afterEach, describe, expect, it, vi } from "vitest";
import * as tb from "../src/index.js";

describe("fluent", () => {
  afterEach(async () => {
    await tb.endRun();
    await tb.setTrackingUri("memory:");
    vi.unstubAllEnvs();
  });

  it("logs through module functions on the default tracker", async () => {
    await tb.setTrackingUri("memory:");
    const exp = await tb.setExperiment("fluent");
    const run = await tb.startRun({ runName: "r1" });
    tb.logParams({ lr: 0.1 });
    tb.logParam("layers", 2);
    tb.setTags({ team: "a" });
    tb.setTag("stage", "dev");
    tb.logMetric("loss", 0.5, 0);
    tb.logMetrics({ loss: 0.25, acc: 0.75 }, 1);
    await tb.flush();
    await tb.endRun();
    const got = await tb.getRun(run.runId);
    expect(got.info.status).toBe("FINISHED");
    expect(got.data.params).toEqual({ lr: "0.1", layers: "2" });
    expect(got.data.metrics).toEqual({ loss: 0.25, acc: 0.75 });
    expect(got.data.tags).toMatchObject({ team: "a", stage: "dev" });
    const page = await tb.searchRuns({ filter: "metrics.acc > 0.5" });
    expect(page.runs.map((r) => r.info.runId)).toEqual([run.runId]);
    expect((await tb.searchExperiments({ filter: "name = 'fluent'" })).experiments[0]!.experimentId).toBe(exp.experimentId);
    expect(Array.from((await tb.getMetricHistory(run.runId, "loss")).values)).toEqual([0.5, 0.25]);
  });

  it("throws INVALID_STATE when logging with no active run", async () => {
    await tb.setTrackingUri("memory:");
    await tb.getTracker();
    expect(() => tb.logMetric("loss", 1)).toThrow(expect.objectContaining({ code: "INVALID_STATE" }));
    expect(() => tb.logParam("p", 1)).toThrow(/startRun/);
  });

  it("withRun ends the run and returns the callback's value", async () => {
    await tb.setTrackingUri("memory:");
    const out = await tb.withRun({ runName: "w" }, (run) => {
      tb.logMetric("m", 1);
      return run.runId;
    });
    expect((await tb.getRun(out)).info.status).toBe("FINISHED");
  });

  it("setTrackingUri closes the old default tracker and ends its runs", async () => {
    await tb.setTrackingUri("memory:");
    const old = await tb.getTracker();
    const run = await tb.startRun();
    await tb.setTrackingUri("memory:");
    expect(run.isEnded).toBe(true);
    expect(await tb.getTracker()).not.toBe(old);
  });

  it("reopens the default tracker after it was closed by hand", async () => {
    await tb.setTrackingUri("memory:");
    const first = await tb.getTracker();
    await first.close();
    const second = await tb.getTracker();
    expect(second).not.toBe(first);
    expect(second.isClosed).toBe(false);
    await expect(tb.startRun()).resolves.toBeDefined();
  });

  it("takes the default URI from TRACKBOOK_TRACKING_URI", () => {
    vi.stubEnv("TRACKBOOK_TRACKING_URI", "memory:");
    expect(tb.defaultTrackingUri()).toBe("memory:");
  });

  it("names the supported schemes when given an unknown one", async () => {
    await expect(tb.openTracker("ftp://x")).rejects.toThrow(/memory:/);
    await expect(tb.openTracker("no-scheme")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
  });
});
