import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isTrackerError } from "../src/errors.js";
import { openTracker, PARENT_RUN_TAG, Tracker } from "../src/tracker.js";
import { diskFull, SpyStore } from "./helpers/spy-store.js";

const trackers: Tracker[] = [];
async function open(): Promise<Tracker> {
  const tb = await openTracker("memory:");
  trackers.push(tb);
  return tb;
}

describe("tracker", () => {
  afterEach(async () => {
    delete (globalThis as { __tslab__?: unknown }).__tslab__;
    await Promise.all(trackers.splice(0).map((t) => t.close().catch(() => undefined)));
  });

  it("runs the DESIGN example end to end", async () => {
    const tb = await open();
    const exp = await tb.setExperiment("mnist");
    const run = await tb.startRun({ runName: "baseline", tags: { team: "vision" } });
    run.logParams({ lr: 0.01, layers: 3 });
    for (let step = 0; step < 1000; step++) run.logMetric("loss", 1 / (step + 1), step);
    await run.end();
    const page = await tb.searchRuns({
      experimentIds: [exp.experimentId],
      filter: "metrics.loss < 0.5 and params.lr = '0.01'",
      orderBy: ["metrics.loss ASC"],
      maxResults: 100,
    });
    expect(page.runs).toHaveLength(1);
    const found = page.runs[0]!;
    expect(found.info.runId).toBe(run.runId);
    expect(found.info.status).toBe("FINISHED");
    expect(found.info.endTime).toBeGreaterThanOrEqual(found.info.startTime);
    expect(found.data.params).toEqual({ lr: "0.01", layers: "3" });
    expect(found.data.metrics.loss).toBe(1 / 1000);
    expect(found.data.tags.team).toBe("vision");
    expect(page.nextPageToken).toBeUndefined();
    const h = await tb.getMetricHistory(run.runId, "loss");
    expect(h.steps).toBeInstanceOf(Float64Array);
    expect(h.values.length).toBe(1000);
    const exps = await tb.searchExperiments({ viewType: "ALL", filter: "name LIKE 'mni%'" });
    expect(exps.experiments.map((e) => e.name)).toEqual(["mnist"]);
  });

  it("sets the system tags, with source type LOCAL outside a notebook", async () => {
    const tb = await open();
    const run = await tb.startRun();
    const { tags } = (await tb.getRun(run.runId)).data;
    expect(tags["mlflow.source.type"]).toBe("LOCAL");
    expect(tags["mlflow.user"]).toBeTruthy();
    expect(tags["mlflow.source.name"]).toBe(process.argv[1]);
    expect(tags["mlflow.runName"]).toBe(run.info.runName);
    expect(run.info.userId).toBe(tags["mlflow.user"]);
  });

  it("marks runs started inside a tslab kernel as NOTEBOOK runs of the notebook", async () => {
    (globalThis as { __tslab__?: unknown }).__tslab__ = { exports: {}, require };
    process.env.JPY_SESSION_NAME = "/home/me/notebooks/01-quickstart.ipynb";
    try {
      const tb = await open();
      const run = await tb.startRun();
      const { tags } = (await tb.getRun(run.runId)).data;
      expect(tags["mlflow.source.type"]).toBe("NOTEBOOK");
      expect(tags["mlflow.source.name"]).toBe("/home/me/notebooks/01-quickstart.ipynb");
    } finally {
      delete process.env.JPY_SESSION_NAME;
    }
  });

  it("names the notebook in its folder when Jupyter does not say which one, and the folder when there are several", async () => {
    (globalThis as { __tslab__?: unknown }).__tslab__ = { exports: {}, require };
    const dir = mkdtempSync(join(tmpdir(), "tb-source-"));
    const cwd = vi.spyOn(process, "cwd").mockReturnValue(dir);
    try {
      writeFileSync(join(dir, "01-quickstart.ipynb"), "{}");
      const tb = await open();
      const first = await tb.startRun();
      expect((await tb.getRun(first.runId)).data.tags["mlflow.source.name"]).toBe(join(dir, "01-quickstart.ipynb"));
      await first.end();
      writeFileSync(join(dir, "02-compare.ipynb"), "{}");
      const second = await tb.startRun();
      expect((await tb.getRun(second.runId)).data.tags["mlflow.source.name"]).toBe(dir);
    } finally {
      cwd.mockRestore();
      delete (globalThis as { __tslab__?: unknown }).__tslab__;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a second top-level run with a message naming the fix, and nests on request", async () => {
    const tb = await open();
    const parent = await tb.startRun({ runName: "sweep" });
    const e = await tb.startRun().catch((x: unknown) => x);
    expect(isTrackerError(e, "INVALID_STATE")).toBe(true);
    expect((e as Error).message).toContain("nested: true");
    expect((e as Error).message).toContain(parent.runId);
    const child = await tb.startRun({ runName: "trial", nested: true });
    expect((await tb.getRun(child.runId)).data.tags[PARENT_RUN_TAG]).toBe(parent.runId);
    expect(tb.activeRun()).toBe(child);
    await child.end();
    expect(tb.activeRun()).toBe(parent);
  });

  it("ends children before their parent", async () => {
    const tb = await open();
    const parent = await tb.startRun();
    const child = await tb.startRun({ nested: true });
    await parent.end("KILLED");
    expect(child.isEnded).toBe(true);
    expect((await tb.getRun(child.runId)).info.status).toBe("KILLED");
    expect((await tb.getRun(parent.runId)).info.status).toBe("KILLED");
    expect(tb.activeRun()).toBeUndefined();
  });

  it("withRun ends FINISHED on success and FAILED on a throw, rethrowing it", async () => {
    const tb = await open();
    let id = "";
    const value = await tb.withRun({ runName: "ok" }, (run) => {
      id = run.runId;
      run.logMetric("acc", 0.9);
      return 42;
    });
    expect(value).toBe(42);
    expect((await tb.getRun(id)).info.status).toBe("FINISHED");
    const boom = new Error("diverged");
    await expect(tb.withRun({}, (run) => { id = run.runId; throw boom; })).rejects.toBe(boom);
    const failed = await tb.getRun(id);
    expect(failed.info.status).toBe("FAILED");
    expect(failed.info.endTime).not.toBeNull();
  });

  it("end('KILLED') records KILLED, and a run cannot end as RUNNING", async () => {
    const tb = await open();
    const run = await tb.startRun();
    await expect(run.end("RUNNING" as never)).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
    await run.end("KILLED");
    expect(run.info.status).toBe("KILLED");
    expect((await tb.getRun(run.runId)).info.status).toBe("KILLED");
  });

  it("refuses logging to an ended run", async () => {
    const tb = await open();
    const run = await tb.startRun();
    await run.end();
    expect(() => run.logMetric("m", 1)).toThrow(expect.objectContaining({ code: "INVALID_STATE" }));
    expect(() => run.logParam("p", 1)).toThrow(expect.objectContaining({ code: "INVALID_STATE" }));
  });

  it("ends the run but rejects end() when a write failed", async () => {
    const store = new SpyStore();
    const tb = new Tracker(store, "memory:");
    trackers.push(tb);
    const run = await tb.startRun();
    store.failWith = diskFull();
    run.logMetric("m", 1, 0);
    await expect(run.end()).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED" });
    store.failWith = undefined;
    expect((await store.getRun(run.runId)).info.status).toBe("FINISHED");
    expect(tb.activeRun()).toBeUndefined();
  });

  it("validates logParams as a whole: one bad entry enqueues none", async () => {
    const tb = await open();
    const run = await tb.startRun();
    expect(() => run.logParams({ good: 1, "bad//key": 2 })).toThrow(expect.objectContaining({ code: "INVALID_PARAMETER_VALUE" }));
    expect(() => run.setTags({ fine: "x", "#": "y" })).toThrow(expect.objectContaining({ code: "INVALID_PARAMETER_VALUE" }));
    await run.end();
    const { params, tags } = (await tb.getRun(run.runId)).data;
    expect(params).toEqual({});
    expect(tags.fine).toBeUndefined();
  });

  it("setExperiment reuses an existing experiment and refuses a deleted one", async () => {
    const tb = await open();
    const a = await tb.setExperiment("exp");
    const b = await tb.setExperiment("exp");
    expect(b.experimentId).toBe(a.experimentId);
    expect(tb.activeExperimentId).toBe(a.experimentId);
    const run = await tb.startRun();
    expect(run.info.experimentId).toBe(a.experimentId);
    await run.end();
    await tb.store.deleteExperiment(a.experimentId);
    await expect(tb.setExperiment("exp")).rejects.toMatchObject({ code: "INVALID_PARAMETER_VALUE" });
  });

  it("close() ends active runs FINISHED and then refuses work", async () => {
    const store = new SpyStore();
    const tb = new Tracker(store, "memory:");
    const run = await tb.startRun();
    run.logMetric("m", 3, 1);
    await tb.close();
    await expect(tb.startRun()).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(store.batches.some((b) => b.metrics === 1)).toBe(true);
  });

  it("description becomes the mlflow.note.content tag", async () => {
    const tb = await open();
    const run = await tb.startRun({ description: "# Baseline\nno augmentation" });
    expect((await tb.getRun(run.runId)).data.tags["mlflow.note.content"]).toBe("# Baseline\nno augmentation");
  });
});
