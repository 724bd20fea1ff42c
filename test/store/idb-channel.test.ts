import "fake-indexeddb/auto";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openIdbStore, watchRuns, type RunChange } from "../../src/store/idb/index.js";

// The browser's StorageManager, stubbed around the real store (Node has none).
const persist = vi.fn(async () => true);
vi.stubGlobal("navigator", { storage: { persist, estimate: async () => ({ usage: 1, quota: 2 }) } });
afterAll(() => vi.unstubAllGlobals());

describe("idb store announcements and storage", () => {
  // First in this file: the page asks once, at its first run.
  it("asks for persistent storage when a run starts", async () => {
    const store = await openIdbStore("channel-persist");
    try {
      await store.createRun({ experimentId: "0" });
      expect(persist).toHaveBeenCalledTimes(1);
      // Once per page: a second run does not ask again (Firefox would prompt every time).
      await store.createRun({ experimentId: "0" });
      expect(persist).toHaveBeenCalledTimes(1);
    } finally {
      await store.close();
    }
  });

  it("announces created and changed runs to every listener of the database, and only of it", async () => {
    const store = await openIdbStore("channel-a");
    const other = await openIdbStore("channel-b");
    const seen: RunChange[] = [];
    const elsewhere: RunChange[] = [];
    const stop = watchRuns("channel-a", (c) => seen.push(c));
    const stopOther = watchRuns("channel-b", (c) => elsewhere.push(c));
    try {
      const run = await store.createRun({ experimentId: "0" });
      await store.updateRun(run.info.runId, { status: "FINISHED", endTime: 1 });
      await vi.waitFor(() => expect(seen.length).toBe(2));
      expect(seen).toEqual([
        { type: "run-created", runId: run.info.runId, experimentId: "0" },
        { type: "run-updated", runId: run.info.runId, experimentId: "0" },
      ]);
      expect(elsewhere).toEqual([]);
    } finally {
      stop();
      stopOther();
      await store.close();
      await other.close();
    }
  });
});
