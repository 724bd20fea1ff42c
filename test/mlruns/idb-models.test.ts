/**
 * The IndexedDB store has no model registry yet: importing a bundle with logged models and
 * registered versions brings its runs in and lists every model as skipped, with the reason.
 */
import "fake-indexeddb/auto";
import { afterAll, expect, it } from "vitest";
import { importMlruns } from "../../src/mlruns/index.js";
import { openIdbStore } from "../../src/store/idb/index.js";
import { hasModels } from "../../src/store/store.js";
import { smallBundle, writeBundle } from "./helpers/bundle.js";
import { tempDir } from "./helpers/fixtures.js";

const tmp = tempDir();
afterAll(tmp.remove);

it("an import into the idb store keeps the runs and skips models with 'this store has no model registry'", async () => {
  const model = "m-0123456789abcdef0123456789abcdef";
  const dir = writeBundle(tmp.dir, {
    ...smallBundle(),
    [`mlruns/1/models/${model}/meta.yaml`]: `artifact_location: x\ncreation_timestamp: 1\nexperiment_id: '1'\nmodel_id: ${model}\nname: echo\nstatus: 2\n`,
    "mlruns/models/Echo/meta.yaml": "creation_timestamp: 1\nname: Echo\n",
    "mlruns/models/Echo/version-1/meta.yaml": "creation_timestamp: 1\nname: Echo\nsource: s3://x\nversion: 1\n",
  });
  const store = await openIdbStore("idb-models");
  try {
    expect(hasModels(store)).toBe(false);
    const result = await importMlruns(store, dir);
    expect(result.imported).toMatchObject({ runs: 2, loggedModels: 0, registeredModels: 0, modelVersions: 0 });
    expect(result.skipped.filter((s) => s.reason.endsWith("this store has no model registry")).map((s) => s.path)).toEqual([
      `mlruns/1/models/${model}`,
      "mlruns/models/Echo",
    ]);
  } finally {
    await store.close();
  }
});
