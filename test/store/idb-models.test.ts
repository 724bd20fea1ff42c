/**
 * The IndexedDB store's models beyond the shared contract: no catalog is cached, so two
 * connections (two tabs) see each other's changes at once, and purging an experiment removes
 * its logged models with their files. Node, with fake-indexeddb.
 */
import "fake-indexeddb/auto";
import { expect, it } from "vitest";
import { openIdbStore } from "../../src/store/idb/index.js";
import { loggedModel, modelVersion, registeredModel } from "./contract-models.js";
import { expectTrackerError } from "./contract-helpers.js";

let n = 0;

it("a model or version written through one connection is seen through another at once", async () => {
  const name = `idb-models-tabs-${n++}`;
  const a = await openIdbStore(name);
  const b = await openIdbStore(name);
  try {
    await a.putLoggedModel(loggedModel());
    await a.putRegisteredModel(registeredModel());
    expect(await b.getLoggedModel(loggedModel().modelId)).toEqual(await a.getLoggedModel(loggedModel().modelId));
    await b.putModelVersion(modelVersion());
    expect(await a.listModelVersions(registeredModel().name)).toEqual([modelVersion()]);
    // A name taken in the other connection is taken here too.
    await b.deleteRegisteredModel(registeredModel().name);
    await expectTrackerError(a.getRegisteredModel(registeredModel().name), "RESOURCE_DOES_NOT_EXIST");
  } finally {
    await a.close();
    await b.close();
  }
});

it("purging an experiment removes its logged models and their artifacts, and leaves other experiments' models", async () => {
  const store = await openIdbStore(`idb-models-purge-${n++}`);
  try {
    const exp = await store.createExperiment({ name: "gone" });
    const doomed = loggedModel({ modelId: "m-" + "1".repeat(32), experimentId: exp });
    await store.putLoggedModel(doomed);
    await store.logLoggedModelArtifact(doomed.modelId, "MLmodel", new Uint8Array([1]));
    await store.putLoggedModel(loggedModel());
    await store.deleteExperiment(exp);
    await store.purgeExperiment(exp);
    await expectTrackerError(store.getLoggedModel(doomed.modelId), "RESOURCE_DOES_NOT_EXIST");
    expect((await store.searchLoggedModels()).map((m) => m.modelId)).toEqual([loggedModel().modelId]);
    // A model made again under the purged id starts with no files.
    await store.putLoggedModel({ ...doomed, experimentId: "0" });
    expect(await store.listLoggedModelArtifacts(doomed.modelId)).toEqual([]);
  } finally {
    await store.close();
  }
});
