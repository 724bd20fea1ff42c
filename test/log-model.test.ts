/**
 * `tb.logModel`: a logged model made from a run, on every store that keeps models (memory,
 * Arrow files, IndexedDB), READY with its files, params and tags; bad input refused before
 * anything is written; a failed file write leaves no model behind.
 */
import "fake-indexeddb/auto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TrackerError } from "../src/errors.js";
import { MemoryStore } from "../src/store/memory/memory-store.js";
import { openTracker, Tracker } from "../src/tracker.js";
import { expectTrackerError } from "./store/contract-helpers.js";

const base = mkdtempSync(join(tmpdir(), "trackbook-log-model-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

const stores: [string, () => Promise<Tracker>][] = [
  ["memory", () => openTracker("memory:")],
  ["arrow", () => openTracker(`arrow:${join(base, `root-${n++}`)}`, { worker: false })],
  ["idb (fake-indexeddb)", () => openTracker(`idb:log-model-${n++}`, { worker: false })],
];

describe.each(stores)("logModel on %s", (_name, open) => {
  it("makes a READY model of the active run, in its experiment, with its files, params and tags", async () => {
    const tb = await open();
    try {
      const exp = await tb.setExperiment("mnist");
      const run = await tb.startRun({ runName: "cnn" });
      await tb.setExperiment("Default"); // the model goes with the run, not the active experiment
      const weights = new Uint8Array([1, 2, 3, 4]);
      const model = await tb.logModel("mnist-cnn", { files: { "model.json": { format: "layers-model" }, "weights/group1.bin": weights }, params: { layers: 4, lr: 0.001 }, tags: { framework: "tfjs" }, modelType: "tfjs-layers" });
      expect(model).toMatchObject({ name: "mnist-cnn", status: "READY", experimentId: exp.experimentId, sourceRunId: run.info.runId, modelType: "tfjs-layers", params: { layers: "4", lr: "0.001" }, tags: { framework: "tfjs" }, lifecycleStage: "active" });
      expect(model.modelId).toMatch(/^m-[0-9a-f]{32}$/);
      expect(model.lastUpdatedTimestamp).toBeGreaterThanOrEqual(model.creationTimestamp);
      expect(JSON.parse(new TextDecoder().decode(await tb.readLoggedModelArtifact(model.modelId, "model.json")))).toEqual({ format: "layers-model" });
      expect([...(await tb.readLoggedModelArtifact(model.modelId, "weights/group1.bin"))]).toEqual([1, 2, 3, 4]);
      expect(await tb.searchLoggedModels({ experimentIds: [exp.experimentId] })).toEqual([model]);
      await tb.createRegisteredModel("mnist");
      const v = await tb.createModelVersion("mnist", { modelId: model.modelId });
      expect(v).toMatchObject({ version: 1, source: `models:/${model.modelId}`, runId: run.info.runId, storageLocation: model.artifactLocation });
      await run.end();
    } finally {
      await tb.close();
    }
  });

  it("without a run, the model has no source run and goes to the active experiment", async () => {
    const tb = await open();
    try {
      const exp = await tb.setExperiment("no-run");
      const model = await tb.logModel("bare");
      expect(model).toMatchObject({ sourceRunId: null, experimentId: exp.experimentId, status: "READY", params: {}, metrics: [] });
      expect(await tb.listLoggedModelArtifacts(model.modelId)).toEqual([]);
    } finally {
      await tb.close();
    }
  });

  it("refuses bad input before writing anything", async () => {
    const tb = await open();
    try {
      await expectTrackerError(tb.logModel(""), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(tb.logModel("m", { files: { "ok.bin": new Uint8Array(1), "../escape": "x" } }), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(tb.logModel("m", { params: { bad: undefined } }), "INVALID_PARAMETER_VALUE");
      const e = await expectTrackerError(tb.logModel("m", { files: { "w.bin": { file: "/tmp/w.bin" } } }), "NOT_IMPLEMENTED");
      expect(e.message).toContain("readFile");
      await expectTrackerError(tb.logModel("m", { runId: "f".repeat(32) }), "RESOURCE_DOES_NOT_EXIST");
      expect(await tb.searchLoggedModels({ experimentIds: ["0"] })).toEqual([]);
    } finally {
      await tb.close();
    }
  });
});

it("a file that cannot be written removes the model again: no record, no files", async () => {
  // A fault the stores cannot be made to raise on cue: the second file's write fails.
  class Failing extends MemoryStore {
    override async logLoggedModelArtifact(modelId: string, path: string, data: Uint8Array): Promise<void> {
      if (path === "b.bin") throw new TrackerError("RESOURCE_EXHAUSTED", "disk full");
      return super.logLoggedModelArtifact(modelId, path, data);
    }
  }
  const tb = new Tracker(new Failing());
  const e = await expectTrackerError(tb.logModel("m", { files: { "a.bin": new Uint8Array(1), "b.bin": new Uint8Array(1) } }), "RESOURCE_EXHAUSTED");
  expect(e.message).toBe("disk full");
  expect(await tb.searchLoggedModels({ experimentIds: ["0"] })).toEqual([]);
  await tb.close();
});

it("on the Arrow store a failed model leaves no folder behind", async () => {
  const dir = join(base, "failed-arrow");
  const tb = await openTracker(`arrow:${dir}`, { worker: false });
  const store = tb.store as { logLoggedModelArtifact(id: string, p: string, d: Uint8Array): Promise<void> };
  const write = store.logLoggedModelArtifact.bind(store);
  store.logLoggedModelArtifact = async (id, p, d) => (p === "b.bin" ? Promise.reject(new TrackerError("RESOURCE_EXHAUSTED", "disk full")) : write(id, p, d));
  await expectTrackerError(tb.logModel("m", { files: { "a.bin": new Uint8Array(1), "b.bin": new Uint8Array(1) } }), "RESOURCE_EXHAUSTED");
  await tb.close();
  const models = join(dir, "models");
  expect(existsSync(models) ? readdirSync(models).filter((f) => f.startsWith("m-")) : []).toEqual([]);
});
