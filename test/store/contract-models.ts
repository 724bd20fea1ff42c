/**
 * The model-store contract: logged models, their artifacts and the model registry
 * ({@link ModelStore}), for every backend that has them (memory, Arrow files, both behind a worker).
 *
 * @example
 * ```ts
 * runModelStoreContract("memory", async () => new MemoryStore());
 * ```
 *
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoggedModel, ModelVersion, RegisteredModel } from "../../src/models.js";
import { hasModels, type ModelStore, type TrackingStore } from "../../src/store/store.js";
import { expectTrackerError } from "./contract-helpers.js";

type Store = TrackingStore & ModelStore;

const T = 1_700_000_000_000;
const ID = "m-" + "a".repeat(32);
const ID2 = "m-" + "b".repeat(32);

/** A complete logged model in experiment "0". */
export function loggedModel(over: Partial<LoggedModel> = {}): LoggedModel {
  return {
    modelId: ID,
    experimentId: "0",
    name: "echo",
    artifactLocation: "ignored",
    creationTimestamp: T,
    lastUpdatedTimestamp: T + 5,
    status: "READY",
    statusMessage: null,
    sourceRunId: null,
    modelType: "agent",
    lifecycleStage: "active",
    tags: { "mlflow.user": "ada", stage: "dev" },
    params: { alpha: "0.5", "精度": "x" },
    metrics: [
      { key: "val/acc", value: 0.9, timestamp: T, step: 1, runId: "c".repeat(32), datasetName: null, datasetDigest: null },
      { key: "val/acc", value: NaN, timestamp: T, step: 2, runId: "c".repeat(32), datasetName: "eval", datasetDigest: "abc" },
    ],
    ...over,
  };
}

/** A registered model. */
export function registeredModel(over: Partial<RegisteredModel> = {}): RegisteredModel {
  return { name: "Echo model", creationTimestamp: T, lastUpdatedTimestamp: T + 1, description: "an echo\nmodel", tags: { owner: "me" }, aliases: {}, ...over };
}

/** A model version of "Echo model". */
export function modelVersion(over: Partial<ModelVersion> = {}): ModelVersion {
  return {
    name: "Echo model",
    version: 1,
    creationTimestamp: T,
    lastUpdatedTimestamp: T + 2,
    description: null,
    userId: null,
    currentStage: "None",
    source: `models:/${ID}`,
    runId: null,
    runLink: null,
    status: "READY",
    statusMessage: null,
    storageLocation: null,
    modelId: ID,
    tags: { team: "nlp" },
    ...over,
  };
}

const bytes = (s: string) => new TextEncoder().encode(s);

/** Registers the model-store contract for one backend. */
export function runModelStoreContract(name: string, factory: () => Promise<TrackingStore>, options: { skipClose?: boolean } = {}): void {
  describe(`model store contract: ${name}`, () => {
    let store: Store;
    let closed = false;
    beforeEach(async () => {
      const s = await factory();
      expect(hasModels(s)).toBe(true);
      store = s as Store;
      closed = false;
    });
    afterEach(async () => {
      if (!closed) await store.close();
    });

    it("a logged model comes back equal, with the store's own artifact location", async () => {
      await store.putLoggedModel(loggedModel());
      const got = await store.getLoggedModel(ID);
      const { artifactLocation, ...rest } = got;
      const { artifactLocation: _given, ...want } = loggedModel();
      expect(rest).toEqual(want);
      expect(artifactLocation).not.toBe("ignored");
      expect(artifactLocation).toContain(ID);
      expect(Number.isNaN(got.metrics[1]!.value)).toBe(true);
    });

    it("putting a logged model again replaces it", async () => {
      await store.putLoggedModel(loggedModel());
      await store.putLoggedModel(loggedModel({ status: "FAILED", statusMessage: "boom", tags: {} }));
      expect(await store.getLoggedModel(ID)).toMatchObject({ status: "FAILED", statusMessage: "boom", tags: {} });
    });

    it("a logged model of a missing experiment is RESOURCE_DOES_NOT_EXIST and nothing is stored", async () => {
      await expectTrackerError(store.putLoggedModel(loggedModel({ experimentId: "123456" })), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(store.getLoggedModel(ID), "RESOURCE_DOES_NOT_EXIST");
    });

    it.each<[string, Partial<LoggedModel>]>([
      ["a bad id", { modelId: "m-123" }],
      ["a bad status", { status: "DONE" as never }],
      ["a bad tag key", { tags: { "a//b": "x" } }],
      ["a non-string param", { params: { p: 1 as never } }],
      ["a metric without a number", { metrics: [{ key: "k", value: "1" as never, timestamp: T, step: 0, runId: null, datasetName: null, datasetDigest: null }] }],
    ])("a logged model with %s is INVALID_PARAMETER_VALUE and changes nothing", async (_what, over) => {
      await expectTrackerError(store.putLoggedModel(loggedModel(over)), "INVALID_PARAMETER_VALUE");
      expect(await store.searchLoggedModels()).toEqual([]);
    });

    it("searchLoggedModels filters by experiment and lists the newest first", async () => {
      const exp = await store.createExperiment({ name: "other" });
      await store.putLoggedModel(loggedModel());
      await store.putLoggedModel(loggedModel({ modelId: ID2, creationTimestamp: T + 10, experimentId: exp }));
      expect((await store.searchLoggedModels()).map((m) => m.modelId)).toEqual([ID2, ID]);
      expect((await store.searchLoggedModels(["0"])).map((m) => m.modelId)).toEqual([ID]);
      expect(await store.searchLoggedModels(["999"])).toEqual([]);
    });

    it("logged-model artifacts are stored, listed by folder and read back; a missing one is RESOURCE_DOES_NOT_EXIST", async () => {
      await store.putLoggedModel(loggedModel());
      await store.logLoggedModelArtifact(ID, "MLmodel", bytes("flavors: {}\n"));
      await store.logLoggedModelArtifact(ID, "data/weights.bin", new Uint8Array([0, 1, 2]));
      expect(await store.listLoggedModelArtifacts(ID)).toEqual([
        { path: "MLmodel", isDir: false, fileSize: 12 },
        { path: "data", isDir: true },
      ]);
      expect(await store.listLoggedModelArtifacts(ID, "data")).toEqual([{ path: "data/weights.bin", isDir: false, fileSize: 3 }]);
      expect([...(await store.readLoggedModelArtifact(ID, "data/weights.bin"))]).toEqual([0, 1, 2]);
      await expectTrackerError(store.readLoggedModelArtifact(ID, "nope"), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(store.logLoggedModelArtifact(ID, "../escape", bytes("x")), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(store.logLoggedModelArtifact(ID2, "a", bytes("x")), "RESOURCE_DOES_NOT_EXIST");
    });

    it("deleteLoggedModel removes the model and its artifacts for good", async () => {
      await store.putLoggedModel(loggedModel());
      await store.logLoggedModelArtifact(ID, "MLmodel", bytes("x"));
      await store.deleteLoggedModel(ID);
      await expectTrackerError(store.getLoggedModel(ID), "RESOURCE_DOES_NOT_EXIST");
      await store.putLoggedModel(loggedModel());
      expect(await store.listLoggedModelArtifacts(ID)).toEqual([]);
      await expectTrackerError(store.deleteLoggedModel(ID2), "RESOURCE_DOES_NOT_EXIST");
    });

    it("registered models and their versions come back equal; versions list by number", async () => {
      await store.putRegisteredModel(registeredModel());
      await store.putModelVersion(modelVersion({ version: 2, currentStage: "Staging" }));
      await store.putModelVersion(modelVersion());
      await store.putRegisteredModel(registeredModel({ aliases: { champion: 2 } }));
      expect(await store.getRegisteredModel("Echo model")).toEqual(registeredModel({ aliases: { champion: 2 } }));
      expect(await store.getModelVersion("Echo model", 2)).toEqual(modelVersion({ version: 2, currentStage: "Staging" }));
      expect((await store.listModelVersions("Echo model")).map((v) => v.version)).toEqual([1, 2]);
      await store.putRegisteredModel(registeredModel({ name: "a first" }));
      expect((await store.listRegisteredModels()).map((m) => m.name)).toEqual(["Echo model", "a first"]);
    });

    it("putting a registered model again keeps its versions", async () => {
      await store.putRegisteredModel(registeredModel());
      await store.putModelVersion(modelVersion());
      await store.putRegisteredModel(registeredModel({ description: null }));
      expect(await store.listModelVersions("Echo model")).toHaveLength(1);
    });

    it("a version of a missing registered model is RESOURCE_DOES_NOT_EXIST, and missing entries are too", async () => {
      await expectTrackerError(store.putModelVersion(modelVersion()), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(store.getRegisteredModel("nope"), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(store.listModelVersions("nope"), "RESOURCE_DOES_NOT_EXIST");
      await store.putRegisteredModel(registeredModel());
      await expectTrackerError(store.getModelVersion("Echo model", 7), "RESOURCE_DOES_NOT_EXIST");
    });

    it("invalid registry records are INVALID_PARAMETER_VALUE and change nothing", async () => {
      await expectTrackerError(store.putRegisteredModel(registeredModel({ name: "a/b" })), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(store.putRegisteredModel(registeredModel({ aliases: { latest: 1 } })), "INVALID_PARAMETER_VALUE");
      expect(await store.listRegisteredModels()).toEqual([]);
      await store.putRegisteredModel(registeredModel());
      await expectTrackerError(store.putModelVersion(modelVersion({ version: 0 })), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(store.putModelVersion(modelVersion({ currentStage: "Live" as never })), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(store.putModelVersion(modelVersion({ status: "DONE" as never })), "INVALID_PARAMETER_VALUE");
      expect(await store.listModelVersions("Echo model")).toEqual([]);
    });

    it("deleting a version or a registered model removes it for good", async () => {
      await store.putRegisteredModel(registeredModel());
      await store.putModelVersion(modelVersion());
      await store.putModelVersion(modelVersion({ version: 2 }));
      await store.deleteModelVersion("Echo model", 1);
      expect((await store.listModelVersions("Echo model")).map((v) => v.version)).toEqual([2]);
      await expectTrackerError(store.deleteModelVersion("Echo model", 1), "RESOURCE_DOES_NOT_EXIST");
      await store.deleteRegisteredModel("Echo model");
      await expectTrackerError(store.getRegisteredModel("Echo model"), "RESOURCE_DOES_NOT_EXIST");
      await store.putRegisteredModel(registeredModel());
      expect(await store.listModelVersions("Echo model")).toEqual([]);
    });

    it("returned records are copies: changing one changes nothing in the store", async () => {
      await store.putLoggedModel(loggedModel());
      const got = await store.getLoggedModel(ID);
      got.tags.stage = "prod";
      got.metrics.length = 0;
      expect(await store.getLoggedModel(ID)).toMatchObject({ tags: { stage: "dev" }, metrics: [{}, {}] });
    });

    if (!options.skipClose) {
      it("model calls after close are INVALID_STATE", async () => {
        await store.close();
        closed = true;
        await expectTrackerError(store.getLoggedModel(ID), "INVALID_STATE");
        await expectTrackerError(store.putRegisteredModel(registeredModel()), "INVALID_STATE");
      });
    }
  });
}
