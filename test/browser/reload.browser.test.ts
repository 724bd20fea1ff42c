import { deleteDB } from "idb";
import { afterAll, describe, expect, it } from "vitest";
import { openIdbStore } from "../../src/store/idb/index.js";
import { commands, loggerState, openLogger, waitForLogger } from "./pages.js";

const db = `reload-${Date.now()}`;
afterAll(() => deleteDB(db));

describe("a page reloaded in the middle of a run", () => {
  it("keeps every point flushed more than 1 s before the reload, and still lists the interrupted run", { timeout: 120_000 }, async () => {
    const page = await openLogger(db, { run: "interrupted", points: 0, keys: 2 });
    await waitForLogger(page, "s.flushes.length >= 1");
    // Let the page keep logging (the client flushes every 100 ms besides the explicit flushes)
    // until some flush resolved more than a second before the moment we read the state.
    await waitForLogger(page, "s.flushes.some((f) => f.at < Date.now() - 1200)");
    const before = await loggerState(page);
    expect(before.inWorker).toBe(true);
    await commands.reloadPage(page);
    await waitForLogger(page, "s.reloaded === true");
    await commands.closePage(page);

    const mustHave = Math.max(...before.flushes.filter((f) => f.at <= before.now - 1000).map((f) => f.upTo));
    expect(mustHave).toBeGreaterThan(0);
    const store = await openIdbStore(db);
    try {
      const runs = await store.searchRuns({ experimentIds: [before.experimentId!] });
      expect(runs.runs.map((r) => [r.info.runId, r.info.status])).toEqual([[before.runId, "RUNNING"]]);
      for (const [k, key] of ["m0", "m1"].entries()) {
        const h = await store.getMetricHistory(before.runId!, key);
        // Everything up to the flushed step, in order and exactly once; maybe more after it, never a gap.
        expect(h.steps.length).toBeGreaterThan(mustHave);
        const steps = Array.from(h.steps);
        expect(steps).toEqual(steps.map((_, i) => i));
        expect(Array.from(h.values)).toEqual(steps.map((s) => s * 10 + k));
      }
      expect((await store.getRun(before.runId!)).data.params).toEqual({ db, points: "0" });
    } finally {
      await store.close();
    }
  });
});
