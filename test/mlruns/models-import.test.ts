/**
 * Importing and exporting logged models and the model registry without MLflow: hand-made
 * bundles in MLflow 3.17's layout, conflicts (skip / replace / new-ids), all-or-nothing undo,
 * stores without a registry, and malformed model files refused with the file named.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isTrackerError, TrackerError, type ErrorCode } from "../../src/errors.js";
import { exportMlruns, importMlruns } from "../../src/mlruns/index.js";
import type { ModelVersion } from "../../src/models.js";
import { pythonFloatRepr } from "../../src/mlruns/numbers.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { Tracker } from "../../src/tracker.js";
import { MODEL_STORE_METHODS } from "../../src/store/store.js";
import { RUN_A, smallBundle, writeBundle, type Files } from "./helpers/bundle.js";
import { BARE, M, MODEL, modelBundle, modelMeta, R, versionMeta } from "./helpers/model-bundle.js";
import { dumpStore } from "./helpers/dump.js";
import { tempDir } from "./helpers/fixtures.js";
import { modelsView } from "./helpers/models-view.js";

/** A memory store without model methods, as a store with no registry looks. */
function withoutModels(store: MemoryStore): MemoryStore {
  return new Proxy(store, {
    get: (t, k) => ((MODEL_STORE_METHODS as readonly PropertyKey[]).includes(k) ? undefined : (Reflect.get(t, k, t) as unknown)),
  });
}

/** Everything a store holds, models included. */
async function snapshot(store: MemoryStore): Promise<unknown> {
  return { runs: await dumpStore(store, { times: true, artifactUris: true }), models: await modelsView(store, pythonFloatRepr) };
}

describe("mlruns import and export of logged models and the registry", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  let n = 0;
  const bundle = (files: Files) => writeBundle(join(tmp.dir, `b${n++}`), files);

  it("imports every field of logged models, their artifacts and registered versions, relocating locations into the store", async () => {
    const store = new MemoryStore();
    const result = await importMlruns(store, bundle(modelBundle()));
    expect(result.imported).toMatchObject({ runs: 2, loggedModels: 2, loggedModelArtifacts: 2, registeredModels: 1, modelVersions: 2 });
    const m = await store.getLoggedModel(MODEL);
    expect(m).toEqual({
      modelId: MODEL,
      experimentId: "1",
      name: "echo",
      artifactLocation: `memory:/models/${MODEL}/artifacts`,
      creationTimestamp: 1700000000100,
      lastUpdatedTimestamp: 1700000000200,
      status: "READY",
      statusMessage: null,
      sourceRunId: RUN_A,
      modelType: "agent",
      lifecycleStage: "active",
      tags: { "mlflow.user": "ada", "mlflow.modelVersions": '[{"name": "Echo model", "version": 1}]' },
      params: { alpha: "0.5" },
      metrics: [
        { key: "val/acc", value: 0.9, timestamp: 1700000000000, step: 1, runId: RUN_A, datasetName: null, datasetDigest: null },
        { key: "val/acc", value: NaN, timestamp: 1700000000001, step: 2, runId: RUN_A, datasetName: "eval", datasetDigest: "d1g3st" },
      ],
    });
    expect(await store.getLoggedModel(BARE)).toMatchObject({ status: "PENDING", sourceRunId: null, tags: { k: "v" }, metrics: [] });
    expect([...(await store.readLoggedModelArtifact(MODEL, "data/model.pkl"))]).toEqual([0, 1, 2, 3]);
    expect(await store.getRegisteredModel("Echo model")).toEqual({
      name: "Echo model",
      creationTimestamp: 1700000000300,
      lastUpdatedTimestamp: 1700000000500,
      description: "an echo",
      tags: { owner: "me" },
      aliases: { champion: 1 },
    });
    const run = await store.getRun(RUN_A);
    expect(await store.getModelVersion("Echo model", 1)).toEqual<ModelVersion>({
      name: "Echo model",
      version: 1,
      creationTimestamp: 1700000000310,
      lastUpdatedTimestamp: 1700000000410,
      description: "v1",
      userId: null,
      currentStage: "None",
      source: `models:/${MODEL}`,
      runId: RUN_A,
      runLink: null,
      status: "READY",
      statusMessage: null,
      storageLocation: m.artifactLocation,
      modelId: MODEL,
      tags: { validated: "yes" },
    });
    expect(await store.getModelVersion("Echo model", 2)).toMatchObject({ currentStage: "Staging", source: `${run.info.artifactUri}/model`, storageLocation: `${run.info.artifactUri}/model`, modelId: null });
    expect(result.skipped.map((s) => s.reason).join("\n")).not.toMatch(/model registry|logged-model entities/);
  });

  it("import → export → import keeps logged models, their artifacts and the registry", async () => {
    const a = new MemoryStore();
    await importMlruns(a, bundle(modelBundle()));
    const out = join(tmp.dir, `export-${n++}`, "mlruns");
    expect(await exportMlruns(a, out)).toMatchObject({ loggedModels: 2, registeredModels: 1, modelVersions: 2 });
    const b = new MemoryStore();
    await importMlruns(b, out);
    expect(await modelsView(b, pythonFloatRepr)).toEqual(await modelsView(a, pythonFloatRepr));
    expect((await b.getLoggedModel(MODEL)).metrics).toHaveLength(2);
    expect(await b.getModelVersion("Echo model", 2)).toMatchObject({ source: `${(await b.getRun(RUN_A)).info.artifactUri}/model` });
  });

  it("an export of a selection writes only the registry versions of its runs and logged models; an export of everything writes it whole", async () => {
    const tb = new Tracker(new MemoryStore());
    const one = await tb.setExperiment("one");
    const runOne = await tb.startRun({ runName: "a" });
    const modelOne = await tb.logModel("m1");
    await runOne.end();
    await tb.setExperiment("two");
    const runTwo = await tb.startRun({ runName: "b" });
    const modelTwo = await tb.logModel("m2");
    await runTwo.end();
    for (const name of ["A", "B", "C", "D"]) await tb.createRegisteredModel(name);
    await tb.createModelVersion("A", { source: "s3://bucket/a", runId: runOne.info.runId }); // by run, in "one"
    await tb.createModelVersion("B", { modelId: modelTwo.modelId }); // only in "two"
    await tb.createModelVersion("C", { source: "s3://elsewhere" }); // neither run nor model
    await tb.createModelVersion("D", { modelId: modelOne.modelId }); // D v1: "one"
    await tb.createModelVersion("D", { modelId: modelTwo.modelId }); // D v2: "two"
    await tb.setRegisteredModelAlias("D", "champion", 1);
    await tb.setRegisteredModelAlias("D", "challenger", 2);
    const registryOf = async (out: string) => {
      const b = new MemoryStore();
      await importMlruns(b, out);
      const models = await b.listRegisteredModels();
      return Object.fromEntries(await Promise.all(models.map(async (m) => [m.name, { versions: (await b.listModelVersions(m.name)).map((v) => v.version), aliases: m.aliases }] as const)));
    };
    const part = join(tmp.dir, `export-${n++}`, "mlruns");
    expect(await exportMlruns(tb.store, part, { experimentIds: [one.experimentId] })).toMatchObject({ loggedModels: 1, registeredModels: 2, modelVersions: 2 });
    expect(await registryOf(part)).toEqual({ A: { versions: [1], aliases: {} }, D: { versions: [1], aliases: { champion: 1 } } });
    const byRun = join(tmp.dir, `export-${n++}`, "mlruns");
    await exportMlruns(tb.store, byRun, { runIds: [runTwo.info.runId] });
    // Logged models go with their experiment, so "two"'s model (and B, D v2) come along.
    expect(await registryOf(byRun)).toEqual({ B: { versions: [1], aliases: {} }, D: { versions: [2], aliases: { challenger: 2 } } });
    const all = join(tmp.dir, `export-${n++}`, "mlruns");
    expect(await exportMlruns(tb.store, all)).toMatchObject({ loggedModels: 2, registeredModels: 4, modelVersions: 5 });
    expect(Object.keys(await registryOf(all))).toEqual(["A", "B", "C", "D"]);
    await tb.close();
  });

  it("onConflict 'skip' leaves models and versions the store has; 'replace' replaces them", async () => {
    const dir = bundle(modelBundle());
    const store = new MemoryStore();
    await importMlruns(store, dir);
    await store.putLoggedModel({ ...(await store.getLoggedModel(MODEL)), name: "changed" });
    await store.putModelVersion({ ...(await store.getModelVersion("Echo model", 1)), description: "changed" });
    const skipped = await importMlruns(store, dir);
    expect(skipped.imported).toMatchObject({ loggedModels: 0, modelVersions: 0 });
    expect(skipped.skipped.map((s) => s.reason)).toEqual(expect.arrayContaining([`logged model ${MODEL} is already in the store (onConflict: 'skip')`, expect.stringContaining("version 1 of registered model 'Echo model' is already in the store")]));
    expect((await store.getLoggedModel(MODEL)).name).toBe("changed");
    const replaced = await importMlruns(store, dir, { onConflict: "replace" });
    expect(replaced.imported).toMatchObject({ loggedModels: 2, modelVersions: 2 });
    expect((await store.getLoggedModel(MODEL)).name).toBe("echo");
    expect((await store.getModelVersion("Echo model", 1)).description).toBe("v1");
    expect(await store.listLoggedModelArtifacts(MODEL)).toHaveLength(2);
  });

  it("onConflict 'new-ids' imports logged models under new ids and versions as the next numbers, with references following", async () => {
    const dir = bundle(modelBundle());
    const store = new MemoryStore();
    await importMlruns(store, dir);
    const result = await importMlruns(store, dir, { onConflict: "new-ids" });
    expect(result.imported).toMatchObject({ loggedModels: 2, modelVersions: 2, registeredModels: 0 });
    const versions = await store.listModelVersions("Echo model");
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    const v3 = versions[2]!;
    const newRun = result.runIds[RUN_A]!;
    expect(v3.modelId).not.toBe(MODEL);
    expect(v3.source).toBe(`models:/${v3.modelId}`);
    expect(v3.runId).toBe(newRun);
    expect(v3.storageLocation).toBe((await store.getLoggedModel(v3.modelId!)).artifactLocation);
    expect((await store.getLoggedModel(v3.modelId!)).sourceRunId).toBe(newRun);
    expect(versions[3]!.source).toBe(`${(await store.getRun(newRun)).info.artifactUri}/model`);
    expect((await store.getRegisteredModel("Echo model")).aliases).toEqual({ champion: 1 });
    expect(result.notes.join("\n")).toContain("was imported as version 3");
  });

  it("only locations of the bundle's own files are relocated: an s3:// source is kept as it is", async () => {
    const files = modelBundle();
    files[`${R}/version-3/meta.yaml`] = versionMeta(3, `s3://bucket/1/${RUN_A}/artifacts/model`);
    const store = new MemoryStore();
    await importMlruns(store, bundle(files));
    expect(await store.getModelVersion("Echo model", 3)).toMatchObject({ source: `s3://bucket/1/${RUN_A}/artifacts/model`, storageLocation: `s3://bucket/1/${RUN_A}/artifacts/model` });
  });

  it("a version of a logged model the store already has (onConflict 'skip') points at the store's copy", async () => {
    const store = new MemoryStore();
    const files = modelBundle();
    await importMlruns(store, bundle(files));
    await store.deleteModelVersion("Echo model", 1);
    await importMlruns(store, bundle(files));
    expect((await store.getModelVersion("Echo model", 1)).storageLocation).toBe((await store.getLoggedModel(MODEL)).artifactLocation);
  });

  it("a failure while writing the registry undoes the whole import, runs and logged models included", async () => {
    class Failing extends MemoryStore {
      override async putModelVersion(v: ModelVersion): Promise<void> {
        if (v.version === 2) throw new TrackerError("RESOURCE_EXHAUSTED", "disk full");
        return super.putModelVersion(v);
      }
    }
    const store = new Failing();
    const before = await snapshot(store);
    const e = await importMlruns(store, bundle(modelBundle())).catch((x: unknown) => x);
    expect(isTrackerError(e, "RESOURCE_EXHAUSTED"), String(e)).toBe(true);
    expect((e as Error).message).toContain("the store is as it was before");
    expect(await snapshot(store)).toEqual(before);
  });

  it("a store without a model registry imports the runs and reports every model as skipped with the reason", async () => {
    const store = withoutModels(new MemoryStore());
    const result = await importMlruns(store, bundle(modelBundle()));
    expect(result.imported).toMatchObject({ runs: 2, loggedModels: 0, registeredModels: 0 });
    const reasons = result.skipped.filter((s) => s.reason.includes("this store has no model registry")).map((s) => s.path);
    expect(reasons).toEqual(expect.arrayContaining([expect.stringContaining(MODEL), expect.stringContaining(BARE), expect.stringContaining("Echo model")]));
  });

  describe("malformed model files are refused with the file named, and the store is unchanged", () => {
    const cases: [string, (f: Files) => void, RegExp, ErrorCode?][] = [
      ["a logged model meta.yaml that is not YAML", (f) => (f[`${M}/meta.yaml`] = "model_id: [\n"), new RegExp(`${M}/meta.yaml`)],
      ["a logged model status as a string", (f) => (f[`${M}/meta.yaml`] = modelMeta(MODEL, "status: READY\n")), new RegExp(`${M}/meta.yaml.*'status'`)],
      ["a logged model id that does not match its folder", (f) => (f[`${M}/meta.yaml`] = modelMeta(MODEL).replace(`model_id: ${MODEL}`, `model_id: ${BARE}`)), new RegExp(`${M}/meta.yaml.*does not match`)],
      ["a logged model without creation_timestamp", (f) => (f[`${M}/meta.yaml`] = modelMeta(MODEL).replace(/creation_timestamp: \d+\n/, "")), /creation_timestamp/],
      ["a model metric line with 3 fields", (f) => (f[`${M}/metrics/val/acc`] = "1700000000000 0.9 1\n"), new RegExp(`${M}/metrics/val/acc, line 1.*4 or 6 fields`)],
      ["a bad model tag key", (f) => (f[`${M}/tags/bad\u{1F600}`] = "x"), new RegExp(`${M}/tags`)],
      ["a version meta.yaml whose version differs from its folder", (f) => (f[`${R}/version-2/meta.yaml`] = versionMeta(3, "s3://x")), new RegExp(`${R}/version-2/meta.yaml.*does not match`)],
      ["a version with an unknown stage", (f) => (f[`${R}/version-1/meta.yaml`] = versionMeta(1, "s3://x").replace("current_stage: None", "current_stage: Live")), new RegExp(`${R}/version-1/meta.yaml.*current_stage`)],
      ["a registered model whose name differs from its folder", (f) => (f[`${R}/meta.yaml`] = "creation_timestamp: 1\nname: Other\n"), new RegExp(`${R}/meta.yaml.*does not match`)],
      ["an alias file without a version number", (f) => (f[`${R}/aliases/champion`] = "one"), new RegExp(`${R}/aliases/champion`)],
    ];
    it.each(cases)("%s", async (_what, change, message, code = "INVALID_PARAMETER_VALUE") => {
      const store = new MemoryStore();
      await importMlruns(store, bundle(smallBundle())); // something already there
      const before = await snapshot(store);
      const files = modelBundle();
      change(files);
      const e = await importMlruns(store, bundle(files)).catch((x: unknown) => x);
      expect(isTrackerError(e), String(e)).toBe(true);
      expect((e as TrackerError).code).toBe(code);
      expect((e as Error).message).toMatch(message);
      expect(await snapshot(store)).toEqual(before);
    });
  });
});
