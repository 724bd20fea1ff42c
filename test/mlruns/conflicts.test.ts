/** Runs already in the store: skip (default), replace, or new ids (children follow their parent). */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportMlruns, importMlruns } from "../../src/mlruns/index.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { searchAllRuns } from "../../src/store/store.js";
import { RUN_A, RUN_B, smallBundle, writeBundle } from "./helpers/bundle.js";
import { tempDir } from "./helpers/fixtures.js";

describe("mlruns import conflicts", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  const files = smallBundle();
  files[`mlruns/1/${RUN_B}/tags/mlflow.parentRunId`] = RUN_A;
  const dir = writeBundle(join(tmp.dir, "b"), files);

  it("skip (default): runs already there are left alone and reported", async () => {
    const store = new MemoryStore();
    await importMlruns(store, dir);
    await store.logBatch(RUN_A, { tags: [{ key: "mine", value: "keep" }] });
    const again = await importMlruns(store, dir);
    expect(again.imported.runs).toBe(0);
    expect(again.skipped.filter((s) => s.reason.includes("already in the store")).map((s) => s.path)).toEqual([`mlruns/1/${RUN_A}`, `mlruns/1/${RUN_B}`]);
    expect((await store.getRun(RUN_A)).data.tags.mine).toBe("keep");
  });

  it("replace: the bundle's version wins", async () => {
    const store = new MemoryStore();
    await importMlruns(store, dir);
    await store.logBatch(RUN_A, { tags: [{ key: "mine", value: "gone" }] });
    const again = await importMlruns(store, dir, { onConflict: "replace" });
    expect(again.imported).toMatchObject({ runs: 2, replaced: 2 });
    expect((await store.getRun(RUN_A)).data.tags.mine).toBeUndefined();
  });

  it("new-ids: conflicting runs get fresh ids, and a child's parent tag follows its parent", async () => {
    const store = new MemoryStore();
    await importMlruns(store, dir);
    const again = await importMlruns(store, dir, { onConflict: "new-ids" });
    expect(Object.keys(again.runIds).sort()).toEqual([RUN_A, RUN_B].sort());
    const newA = again.runIds[RUN_A]!;
    const newB = again.runIds[RUN_B]!;
    expect((await store.getRun(newB)).data.tags["mlflow.parentRunId"]).toBe(newA);
    expect((await store.getRun(newA)).data.params).toEqual((await store.getRun(RUN_A)).data.params);
    expect((await searchAllRuns(store, { experimentIds: ["1"] })).length).toBe(4);
  });

  it("an experiment with the same name but another id: runs join the store's experiment, noted", async () => {
    const store = new MemoryStore();
    const mine = await store.createExperiment({ name: "one" });
    const result = await importMlruns(store, dir);
    expect(result.notes.join(" ")).toMatch(/'one' has id 1 in the bundle and \d+ in the store/);
    expect((await store.getRun(RUN_A)).info.experimentId).toBe(mine);
    const out = join(tmp.dir, "out");
    await exportMlruns(store, out);
  });
});
