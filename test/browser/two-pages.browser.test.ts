import { deleteDB } from "idb";
import { afterAll, describe, expect, it } from "vitest";
import { openIdbStore, watchRuns, type RunChange } from "../../src/store/idb/index.js";
import { commands, loggerState, openLogger, waitForLogger } from "./pages.js";

const db = `two-pages-${Date.now()}`;
afterAll(() => deleteDB(db));

describe("two pages logging into one database at once", () => {
  it("keeps both runs complete, and tells a third page about both", { timeout: 180_000 }, async () => {
    const seen: RunChange[] = [];
    const stop = watchRuns(db, (c) => seen.push(c));
    const points = 30_000;
    const [a, b] = await Promise.all([openLogger(db, { run: "A", points, keys: 3, wait: 1 }), openLogger(db, { run: "B", points, keys: 3, wait: 1 })]);
    // Both runs exist before either logs a point; then both start at once, so their flushes interleave.
    await Promise.all([waitForLogger(a, "s.runId !== undefined"), waitForLogger(b, "s.runId !== undefined")]);
    await Promise.all([commands.evalInPage(a, "window.go = true"), commands.evalInPage(b, "window.go = true")]);
    await Promise.all([waitForLogger(a, "s.done", 150_000), waitForLogger(b, "s.done", 150_000)]);
    const states = await Promise.all([loggerState(a), loggerState(b)]);
    await Promise.all([commands.closePage(a), commands.closePage(b)]);
    stop();

    expect(states.map((s) => s.inWorker)).toEqual([true, true]);
    // The two really wrote at the same time: each committed flushes while the other was between its first and last.
    const span = states.map((s) => [s.flushes[0]!.at, s.flushes[s.flushes.length - 1]!.at] as const);
    expect(Math.max(span[0]![0], span[1]![0])).toBeLessThan(Math.min(span[0]![1], span[1]![1]));
    const store = await openIdbStore(db);
    try {
      expect(states[0]!.experimentId).toBe(states[1]!.experimentId);
      const page = await store.searchRuns({ experimentIds: [states[0]!.experimentId!], orderBy: ["attributes.run_name ASC"] });
      expect(page.runs.map((r) => [r.info.runName, r.info.status, r.info.runId])).toEqual([
        ["A", "FINISHED", states[0]!.runId],
        ["B", "FINISHED", states[1]!.runId],
      ]);
      const steps = Array.from({ length: points }, (_, i) => i);
      for (const run of page.runs) {
        expect(run.data.params).toEqual({ db, points: String(points) });
        expect(run.data.tags.page).toBe(run.info.runName);
        expect(run.data.metrics).toEqual({ m0: (points - 1) * 10, m1: (points - 1) * 10 + 1, m2: (points - 1) * 10 + 2 });
        for (const [k, key] of ["m0", "m1", "m2"].entries()) {
          const h = await store.getMetricHistory(run.info.runId, key);
          expect(Array.from(h.steps)).toEqual(steps);
          expect(Array.from(h.values)).toEqual(steps.map((s) => s * 10 + k));
        }
      }
      // This page heard of both runs from the others (BroadcastChannel), as an open run table would.
      const created = seen.filter((c) => c.type === "run-created").map((c) => c.runId);
      expect(created.sort()).toEqual([states[0]!.runId, states[1]!.runId].sort());
    } finally {
      await store.close();
    }
  });
});
