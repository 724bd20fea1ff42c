/**
 * The IndexedDB store out of quota, for Node (fake-indexeddb) and Chromium alike. Running out
 * of quota for real would mean writing gigabytes, so it is simulated where the browser reports
 * it: the transaction aborts with a QuotaExceededError as its `error`. Everything else is the
 * real store and the real IndexedDB.
 */
import { describe, expect, it } from "vitest";
import { isTrackerError } from "../../src/errors.js";
import type { IdbStore } from "../../src/store/idb/index.js";
import { Tracker } from "../../src/tracker.js";
import { cols, expectRunUnchanged, expectTrackerError, series, snapshotRun } from "./contract-helpers.js";

/**
 * Makes the next `put` into object store `storeName` abort its transaction with a
 * QuotaExceededError, as a browser does at commit when the site is out of quota. Returns a
 * function that undoes the patch.
 */
export function failNextPutWithQuota(storeName: string): () => void {
  const proto = IDBObjectStore.prototype;
  const put = proto.put;
  let armed = true;
  proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore["put"]>) {
    const request = put.apply(this, args);
    if (armed && this.name === storeName) {
      armed = false;
      const tx = this.transaction;
      const error = new DOMException("The quota has been exceeded.", "QuotaExceededError");
      Object.defineProperty(tx, "error", { configurable: true, get: () => error });
      tx.abort();
    }
    return request;
  };
  return () => {
    proto.put = put;
  };
}

/** The quota suite over stores from `open` (a fresh database each call). */
export function quotaSuite(open: () => Promise<IdbStore>): void {
  describe("idb store out of quota", () => {
    it("rejects the write with RESOURCE_EXHAUSTED saying how to free space, and keeps earlier data as it was", async () => {
      const store = await open();
      try {
        const earlier = (await store.createRun({ experimentId: "0", runName: "earlier" })).info.runId;
        await store.logBatch(earlier, { metrics: cols(...series("loss", 900, (i) => 1 / (i + 1))), params: [{ key: "lr", value: "0.1" }] });
        const current = (await store.createRun({ experimentId: "0", runName: "current" })).info.runId;
        await store.logBatch(current, { metrics: cols(...series("loss", 10, (i) => i)) });
        const before = [await snapshotRun(store, earlier), await snapshotRun(store, current, ["acc"])];

        const undo = failNextPutWithQuota("chunks");
        let error;
        try {
          const batch = { metrics: cols(...series("loss", 500, (i) => -i, 10), ...series("acc", 5, (i) => i)), params: [{ key: "p", value: "1" }] };
          error = await expectTrackerError(store.logBatches([{ runId: earlier, batch: { tags: [{ key: "t", value: "x" }] } }, { runId: current, batch }]), "RESOURCE_EXHAUSTED");
        } finally {
          undo();
        }
        expect(error.message).toMatch(/storage for this site is full/);
        expect(error.message).toMatch(/purgeRun/);
        expect(error.message).toMatch(/data stored before it is intact/);
        // Nothing of the failed flush was stored, in either run; both read back as before.
        await expectRunUnchanged(store, before[0]!);
        await expectRunUnchanged(store, before[1]!, ["acc"]);
        // The store keeps working once there is room again.
        await store.logBatch(current, { metrics: cols(...series("loss", 5, (i) => i, 10)) });
        expect((await store.getMetricHistory(current, "loss")).steps.length).toBe(15);
      } finally {
        await store.close();
      }
    });

    it("raises the error at the tracker's flush (and onError) when logging went through the client", async () => {
      const store = await open();
      const seen: unknown[] = [];
      const tb = new Tracker(store, `idb:${store.name}`, { onError: (e) => seen.push(e) });
      try {
        const earlier = await tb.startRun({ runName: "earlier" });
        for (let i = 0; i < 300; i++) earlier.logMetric("loss", i, i);
        await earlier.end();
        const run = await tb.startRun({ runName: "current" });
        const undo = failNextPutWithQuota("chunks");
        try {
          for (let i = 0; i < 300; i++) run.logMetric("loss", i, i);
          await expectTrackerError(run.flush(), "RESOURCE_EXHAUSTED");
        } finally {
          undo();
        }
        expect(seen.length).toBe(1);
        expect(isTrackerError(seen[0], "RESOURCE_EXHAUSTED")).toBe(true);
        expect((await tb.getMetricHistory(earlier.runId, "loss")).steps.length).toBe(300);
        expect((await tb.getRun(earlier.runId)).info.status).toBe("FINISHED");
        await run.end();
      } finally {
        await tb.close();
      }
    });
  });
}
