/**
 * Logged models and the registry through the IndexedDB store (fake-indexeddb in Node): a bundle's
 * models import with every field, come back out of an export, and an all-or-nothing import that
 * fails leaves the database's models as they were.
 */
import "fake-indexeddb/auto";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isTrackerError, TrackerError } from "../../src/errors.js";
import { exportMlruns, importMlruns } from "../../src/mlruns/index.js";
import { pythonFloatRepr } from "../../src/mlruns/numbers.js";
import { openIdbStore } from "../../src/store/idb/index.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { hasModels } from "../../src/store/store.js";
import { RUN_A, smallBundle, writeBundle, type Files } from "./helpers/bundle.js";
import { tempDir } from "./helpers/fixtures.js";
import { BARE, MODEL, modelBundle } from "./helpers/model-bundle.js";
import { modelsView } from "./helpers/models-view.js";

describe("mlruns bundles with models and the idb store", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  let n = 0;
  const bundle = (files: Files) => writeBundle(join(tmp.dir, `b${n++}`), files);

  it("imports logged models, their artifacts and the registry with every field a memory store gets, locations in the database", async () => {
    const store = await openIdbStore(`idb-models-${n++}`);
    const reference = new MemoryStore();
    try {
      expect(hasModels(store)).toBe(true);
      const dir = bundle(modelBundle());
      const result = await importMlruns(store, dir);
      await importMlruns(reference, dir);
      expect(result.imported).toMatchObject({ runs: 2, loggedModels: 2, loggedModelArtifacts: 2, registeredModels: 1, modelVersions: 2 });
      const m = await store.getLoggedModel(MODEL);
      expect(m.artifactLocation).toBe(`idb:${store.name}/models/${MODEL}/artifacts`);
      expect({ ...m, artifactLocation: "" }).toEqual({ ...(await reference.getLoggedModel(MODEL)), artifactLocation: "" });
      expect(Number.isNaN(m.metrics[1]!.value)).toBe(true);
      expect(await store.getLoggedModel(BARE)).toMatchObject({ status: "PENDING", tags: { k: "v" } });
      expect([...(await store.readLoggedModelArtifact(MODEL, "data/model.pkl"))]).toEqual([0, 1, 2, 3]);
      expect(await store.listLoggedModelArtifacts(MODEL)).toEqual([
        { path: "MLmodel", isDir: false, fileSize: `model_id: ${MODEL}\n`.length },
        { path: "data", isDir: true },
      ]);
      expect(await store.getRegisteredModel("Echo model")).toEqual(await reference.getRegisteredModel("Echo model"));
      expect(await store.getModelVersion("Echo model", 1)).toMatchObject({ storageLocation: m.artifactLocation, modelId: MODEL, tags: { validated: "yes" } });
      expect(await store.getModelVersion("Echo model", 2)).toMatchObject({ source: `${(await store.getRun(RUN_A)).info.artifactUri}/model`, currentStage: "Staging" });
    } finally {
      await store.close();
    }
  });

  it("export → import into a memory store gives the models a direct import gives", async () => {
    const store = await openIdbStore(`idb-models-${n++}`);
    try {
      const dir = bundle(modelBundle());
      await importMlruns(store, dir);
      const out = join(tmp.dir, `export-${n++}`, "mlruns");
      expect(await exportMlruns(store, out)).toMatchObject({ loggedModels: 2, registeredModels: 1, modelVersions: 2 });
      const viaIdb = new MemoryStore();
      await importMlruns(viaIdb, out);
      const direct = new MemoryStore();
      await importMlruns(direct, dir);
      expect(await modelsView(viaIdb, pythonFloatRepr)).toEqual(await modelsView(direct, pythonFloatRepr));
    } finally {
      await store.close();
    }
  });

  it("an import that fails while writing the registry leaves the database's runs, models and registry as they were", async () => {
    const store = await openIdbStore(`idb-models-${n++}`);
    try {
      await importMlruns(store, bundle(smallBundle()));
      const state = async () => ({
        runs: (await store.searchRuns({ experimentIds: ["0", "1"], runViewType: "ALL" })).runs.map((r) => r.info.runId).sort(),
        models: await store.searchLoggedModels(["0", "1"]),
        registry: await store.listRegisteredModels(),
      });
      const before = await state();
      // A fault IndexedDB cannot be made to raise on cue: the second version's write fails.
      const put = store.putModelVersion.bind(store);
      store.putModelVersion = async (v) => (v.version === 2 ? Promise.reject(new TrackerError("RESOURCE_EXHAUSTED", "quota")) : put(v));
      const e = await importMlruns(store, bundle(modelBundle()), { onConflict: "replace" }).catch((x: unknown) => x);
      expect(isTrackerError(e, "RESOURCE_EXHAUSTED"), String(e)).toBe(true);
      expect(await state()).toEqual(before);
      await expect(store.listLoggedModelArtifacts(MODEL)).rejects.toMatchObject({ code: "RESOURCE_DOES_NOT_EXIST" });
    } finally {
      await store.close();
    }
  });
});
