/**
 * The tracker's model-registry API: creators with MLflow's checks and error codes, getters and
 * searches, on the memory store and on a store without models.
 */
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/store/memory/memory-store.js";
import { MODEL_STORE_METHODS, type TrackingStore } from "../src/store/store.js";
import { openTracker, Tracker } from "../src/tracker.js";
import { expectTrackerError } from "./store/contract.js";
import { loggedModel } from "./store/contract-models.js";

/** A memory store that hides its model methods, as a store without a registry looks. */
function storeWithoutModels(): TrackingStore {
  const inner = new MemoryStore();
  return new Proxy(inner, {
    get(target, p) {
      if ((MODEL_STORE_METHODS as readonly PropertyKey[]).includes(p)) return undefined;
      const v = Reflect.get(target, p, target) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

describe("Tracker model registry", () => {
  it("createRegisteredModel stores a model with its tags and description; a taken name is RESOURCE_ALREADY_EXISTS", async () => {
    const tb = await openTracker("memory:");
    const m = await tb.createRegisteredModel("churn", { tags: { team: "growth" }, description: "weekly" });
    expect(m).toMatchObject({ name: "churn", tags: { team: "growth" }, description: "weekly", aliases: {} });
    expect(await tb.getRegisteredModel("churn")).toEqual(m);
    await expectTrackerError(tb.createRegisteredModel("churn"), "RESOURCE_ALREADY_EXISTS");
    await expectTrackerError(tb.createRegisteredModel(""), "INVALID_PARAMETER_VALUE");
    await expectTrackerError(tb.createRegisteredModel("a/b"), "INVALID_PARAMETER_VALUE");
    expect((await tb.searchRegisteredModels()).map((r) => r.name)).toEqual(["churn"]);
    await tb.close();
  });

  it("createModelVersion numbers versions from 1 and registers a logged model with MLflow's source, location and tag", async () => {
    const tb = await openTracker("memory:");
    const store = tb.store as MemoryStore;
    const run = await tb.startRun();
    await run.end();
    await store.putLoggedModel(loggedModel({ sourceRunId: run.runId, tags: {} }));
    await tb.createRegisteredModel("Echo model");
    const v1 = await tb.createModelVersion("Echo model", { modelId: loggedModel().modelId, tags: { validated: "yes" } });
    const logged = await tb.getLoggedModel(loggedModel().modelId);
    expect(v1).toMatchObject({ version: 1, source: `models:/${logged.modelId}`, storageLocation: logged.artifactLocation, runId: run.runId, modelId: logged.modelId, currentStage: "None", status: "READY" });
    const v2 = await tb.createModelVersion("Echo model", { source: "s3://bucket/model", runId: run.runId });
    expect(v2).toMatchObject({ version: 2, source: "s3://bucket/model", storageLocation: "s3://bucket/model", modelId: null });
    expect(logged.tags["mlflow.modelVersions"]).toBe('[{"name": "Echo model", "version": 1}]');
    expect((await tb.searchModelVersions({ name: "Echo model" })).map((v) => v.version)).toEqual([1, 2]);
    expect(await tb.getModelVersion("Echo model", 2)).toEqual(v2);
    await tb.close();
  });

  it("createModelVersion refuses a missing registered model, a missing logged model and a version without a source", async () => {
    const tb = await openTracker("memory:");
    await expectTrackerError(tb.createModelVersion("nope", { source: "x" }), "RESOURCE_DOES_NOT_EXIST");
    await tb.createRegisteredModel("m");
    await expectTrackerError(tb.createModelVersion("m", { modelId: loggedModel().modelId }), "RESOURCE_DOES_NOT_EXIST");
    await expectTrackerError(tb.createModelVersion("m", { modelId: "m-1" }), "INVALID_PARAMETER_VALUE");
    await expectTrackerError(tb.createModelVersion("m", {}), "INVALID_PARAMETER_VALUE");
    expect(await tb.searchModelVersions({ name: "m" })).toEqual([]);
    await tb.close();
  });

  it("setRegisteredModelAlias points an alias at an existing version and refuses reserved aliases", async () => {
    const tb = await openTracker("memory:");
    await tb.createRegisteredModel("m");
    await tb.createModelVersion("m", { source: "file:///tmp/a" });
    await tb.createModelVersion("m", { source: "file:///tmp/b" });
    await tb.setRegisteredModelAlias("m", "champion", 1);
    await tb.setRegisteredModelAlias("m", "champion", 2);
    expect((await tb.getRegisteredModel("m")).aliases).toEqual({ champion: 2 });
    await expectTrackerError(tb.setRegisteredModelAlias("m", "champion", 3), "RESOURCE_DOES_NOT_EXIST");
    await expectTrackerError(tb.setRegisteredModelAlias("m", "latest", 1), "INVALID_PARAMETER_VALUE");
    await expectTrackerError(tb.setRegisteredModelAlias("m", "v2", 1), "INVALID_PARAMETER_VALUE");
    await tb.close();
  });

  it("getLoggedModel and searchLoggedModels read logged models; the default search is the active experiment", async () => {
    const tb = await openTracker("memory:");
    const store = tb.store as MemoryStore;
    await store.putLoggedModel(loggedModel());
    await store.logLoggedModelArtifact(loggedModel().modelId, "MLmodel", new TextEncoder().encode("a: 1\n"));
    expect((await tb.searchLoggedModels()).map((m) => m.modelId)).toEqual([loggedModel().modelId]);
    await tb.setExperiment("other");
    expect(await tb.searchLoggedModels()).toEqual([]);
    expect(await tb.listLoggedModelArtifacts(loggedModel().modelId)).toEqual([{ path: "MLmodel", isDir: false, fileSize: 5 }]);
    expect(new TextDecoder().decode(await tb.readLoggedModelArtifact(loggedModel().modelId, "MLmodel"))).toBe("a: 1\n");
    await expectTrackerError(tb.getLoggedModel("m-" + "0".repeat(32)), "RESOURCE_DOES_NOT_EXIST");
    await tb.close();
  });

  it("on a store without a model registry, every model call is NOT_IMPLEMENTED and says so", async () => {
    const tb = new Tracker(storeWithoutModels());
    const e = await expectTrackerError(tb.createRegisteredModel("m"), "NOT_IMPLEMENTED");
    expect(e.message).toContain("no model registry");
    await expectTrackerError(tb.getLoggedModel(loggedModel().modelId), "NOT_IMPLEMENTED");
    await expectTrackerError(tb.searchRegisteredModels(), "NOT_IMPLEMENTED");
    await tb.close();
  });
});
