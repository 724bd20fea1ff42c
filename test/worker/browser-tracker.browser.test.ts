import { deleteDB } from "idb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openTracker, usesWorkerByDefault } from "../../src/tracker.js";
import { browserWorkerOf, openBrowserWorkerStore } from "../../worker/browser-client.js";

const names: string[] = [];
const fresh = () => {
  const n = `tracker-${Date.now()}-${names.length}`;
  names.push(n);
  return n;
};
afterAll(() => Promise.all(names.map((n) => deleteDB(n))));
afterEach(() => vi.unstubAllGlobals());

// Wraps the real method: the browser still answers, the test sees the call.
let persist: ReturnType<typeof vi.spyOn>;
beforeAll(() => {
  persist = vi.spyOn(navigator.storage, "persist");
});

describe("trackers on idb: in a browser", () => {
  it("run the store in a module Web Worker; the page only enqueues, and asks for persistent storage at the run's start", async () => {
    const uri = `idb:${fresh()}`;
    expect(usesWorkerByDefault(uri)).toBe(true);
    const tb = await openTracker(uri);
    try {
      expect(browserWorkerOf(tb.store)).toBeDefined();
      const run = await tb.startRun({ runName: "page" });
      expect(persist).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 20_000; i++) run.logMetric("loss", 1 / (i + 1), i);
      // Nothing was awaited: the points wait in the page's buffer for the worker.
      expect(tb.client.bufferedPoints).toBeGreaterThan(0);
      await run.end();
      const h = await tb.getMetricHistory(run.runId, "loss");
      expect(h.steps.length).toBe(20_000);
      expect(h.values[19_999]).toBe(1 / 20_000);
      expect((await tb.getRun(run.runId)).info.status).toBe("FINISHED");
    } finally {
      await tb.close();
    }
  });

  it("open the store in this thread where there is no Worker", async () => {
    vi.stubGlobal("Worker", undefined);
    const uri = `idb:${fresh()}`;
    expect(usesWorkerByDefault(uri)).toBe(false);
    const store = await openBrowserWorkerStore(uri);
    try {
      expect(browserWorkerOf(store)).toBeUndefined();
      const run = await store.createRun({ experimentId: "0", runName: "in-thread" });
      expect((await store.getRun(run.info.runId)).info.runName).toBe("in-thread");
    } finally {
      await store.close();
    }
  });

  it("open the store in this thread, with a warning, when the worker fails to load", async () => {
    // A Worker whose script fails to load, as a bundle without the worker chunk would.
    class BrokenWorker extends EventTarget {
      constructor() {
        super();
        setTimeout(() => this.dispatchEvent(new Event("error")), 10);
      }
      postMessage(): void {}
      terminate(): void {}
    }
    vi.stubGlobal("Worker", BrokenWorker);
    const warnings: string[] = [];
    const store = await openBrowserWorkerStore(`idb:${fresh()}`, { onWarning: (m) => warnings.push(m) });
    try {
      expect(browserWorkerOf(store)).toBeUndefined();
      expect(warnings).toEqual([expect.stringContaining("the store worker could not start")]);
      expect((await store.createRun({ experimentId: "0" })).info.status).toBe("RUNNING");
    } finally {
      await store.close();
    }
  });
});
