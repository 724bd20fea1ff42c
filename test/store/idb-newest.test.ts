import "fake-indexeddb/auto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SearchRunsQuery } from "../../src/entities.js";
import { openIdbStore } from "../../src/store/idb/index.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import type { TrackingStore } from "../../src/store/store.js";
import { searchAllRuns } from "../../src/store/store.js";

/** Same experiments and runs (ids, start times, deletions) in both stores. */
async function fill(stores: TrackingStore[], starts: number[], deleted: boolean[]): Promise<string[]> {
  const exps: string[] = [];
  for (const s of stores) exps.push(await s.createExperiment({ name: "a", experimentId: "11", artifactLocation: "x:/11" }), await s.createExperiment({ name: "b", experimentId: "12", artifactLocation: "x:/12" }));
  for (const [i, start] of starts.entries()) {
    const runId = i.toString(16).padStart(32, "0");
    for (const s of stores) {
      await s.createRun({ experimentId: i % 3 === 0 ? "12" : "11", runId, startTime: start, runName: `r${i}` });
      if (deleted[i]) await s.deleteRun(runId);
    }
  }
  return ["11", "12"];
}

describe("idb store: the first page in the base order, read from the newest-runs index", () => {
  it("equals the reference store's page and token, start-time ties, deleted runs and several experiments included", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.constantFrom(1, 2, 3, 7, 50),
        fc.constantFrom("ACTIVE_ONLY" as const, "DELETED_ONLY" as const, "ALL" as const),
        fc.constantFrom(["11"], ["12", "11"], ["13"]),
        async (starts, deleted, maxResults, runViewType, experimentIds) => {
          const idb = await openIdbStore(`newest-${n++}`);
          const memory = new MemoryStore();
          try {
            await fill([idb, memory], starts, deleted);
            const query: SearchRunsQuery = { experimentIds: [...experimentIds], maxResults, runViewType };
            const got = await idb.searchRuns(query);
            expect(got).toEqual(await memory.searchRuns(query));
            // The token leads on through the whole result, as the reference's does.
            expect(await searchAllRuns(idb, query)).toEqual(await searchAllRuns(memory, query));
          } finally {
            await idb.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
