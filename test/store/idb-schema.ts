/**
 * The IndexedDB schema across versions and tabs, for Node (fake-indexeddb) and Chromium:
 * opening a database the previous schema version made, a newer version opened by another tab
 * while this one holds the database, and a database newer than this code.
 */
import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import { openIdbStore, SCHEMA_VERSION } from "../../src/store/idb/index.js";
import { upgrade, type RunRow, type TrackbookDB } from "../../src/store/idb/schema.js";
import { expectTrackerError, history } from "./contract-helpers.js";

const RUN = "0123456789abcdef0123456789abcdef";
const T = 1_700_000_000_000;

/** Chunk columns for steps `from..to-1` with value = step / 10. */
function chunk(chunkNo: number, from: number, to: number) {
  const steps = Float64Array.from({ length: to - from }, (_, i) => from + i);
  return { runId: RUN, key: "loss", chunkNo, steps, values: steps.map((s) => s / 10), timestamps: steps.map((s) => T + s) };
}

/** Makes database `name` exactly as schema version 1 left it, with one experiment, run, history and artifact. */
async function makeVersion1(name: string): Promise<void> {
  const db = await openDB<TrackbookDB>(name, 1, { upgrade: (d, oldVersion, _v, tx) => upgrade(d, oldVersion, 1, tx) });
  expect([...db.objectStoreNames].sort()).toEqual(["artifacts", "chunks", "experiments", "runs"]);
  const tx = db.transaction(["experiments", "runs", "chunks", "artifacts"], "readwrite");
  await Promise.all([
    tx.objectStore("experiments").put({ experimentId: "7", name: "old", artifactLocation: `idb:${name}/7`, lifecycleStage: "active", creationTime: T, lastUpdateTime: T, tags: { v: "1" } }),
    // A version-1 row: no `newest` field yet (version 2 adds it, and the index over it).
    tx.objectStore("runs").put({
      info: { runId: RUN, runName: "from-v1", experimentId: "7", userId: "u", status: "FINISHED", startTime: T, endTime: T + 1, artifactUri: `idb:${name}/7/${RUN}/artifacts`, lifecycleStage: "active" },
      params: { lr: "0.1" },
      tags: { "mlflow.runName": "from-v1" },
      latest: { loss: { step: 149, value: 14.9, timestamp: T + 149 } },
    } as unknown as RunRow),
    tx.objectStore("chunks").put(chunk(0, 0, 100)),
    tx.objectStore("chunks").put(chunk(1, 100, 150)),
    tx.objectStore("artifacts").put({ runId: RUN, path: "notes.txt", size: 2, blob: new Blob(["v1"]) }),
    tx.done,
  ]);
  db.close();
}

/** The schema suite; `freshName()` gives a new database name each call. */
export function schemaSuite(freshName: () => string): void {
  describe("idb schema versions", () => {
    it("opens a database made by the previous schema version, keeps everything, and continues its histories", async () => {
      const name = freshName();
      await makeVersion1(name);
      const store = await openIdbStore(name);
      try {
        const run = await store.getRun(RUN);
        expect(run.info.runName).toBe("from-v1");
        expect(run.data).toEqual({ params: { lr: "0.1" }, tags: { "mlflow.runName": "from-v1" }, metrics: { loss: 14.9 } });
        expect((await store.getExperiment("7")).tags).toEqual({ v: "1" });
        // Found through the `newest` index, which only lists rows the upgrade gave a `newest` field.
        expect((await store.searchRuns({ experimentIds: ["7"] })).runs.map((r) => r.info.runId)).toEqual([RUN]);
        expect(new TextDecoder().decode(await store.readArtifact(RUN, "notes.txt"))).toBe("v1");
        // New points land after the old chunks, in order (the upgrade found where the series ends).
        const more = chunk(0, 150, 160);
        await store.logBatch(RUN, { metrics: { keys: ["loss"], keyIds: new Uint32Array(10), steps: more.steps, values: more.values, timestamps: more.timestamps } });
        const h = await history(store, RUN, "loss");
        expect(h.steps).toEqual(Array.from({ length: 160 }, (_, i) => i));
        expect(h.values).toEqual(h.steps.map((s) => s / 10));
        expect((await store.getRun(RUN)).data.metrics.loss).toBe(15.9);
        // Version 4's model stores exist and start empty.
        expect(await store.searchLoggedModels()).toEqual([]);
        await store.putRegisteredModel({ name: "after-upgrade", creationTimestamp: T, lastUpdatedTimestamp: T, description: null, tags: {}, aliases: {} });
        expect((await store.listRegisteredModels()).map((m) => m.name)).toEqual(["after-upgrade"]);
      } finally {
        await store.close();
      }
    });

    it("lets go of the database when another tab opens a newer version, instead of blocking it", async () => {
      const name = freshName();
      const store = await openIdbStore(name);
      const run = await store.createRun({ experimentId: "0" });
      let blocked = false;
      const newer = await openDB(name, SCHEMA_VERSION + 1, { upgrade: () => undefined, blocked: () => void (blocked = true) });
      expect(blocked).toBe(false);
      expect(newer.version).toBe(SCHEMA_VERSION + 1);
      newer.close();
      const e = await expectTrackerError(store.getRun(run.info.runId), "INVALID_STATE");
      expect(e.message).toMatch(/newer trackbook in another tab.*reload this page/);
      await store.close();
    });

    it("refuses a database written by a newer schema version, saying so", async () => {
      const name = freshName();
      (await openDB(name, SCHEMA_VERSION + 1)).close();
      const e = await expectTrackerError(openIdbStore(name), "INVALID_STATE");
      expect(e.message).toMatch(/written by a newer trackbook/);
    });
  });
}
