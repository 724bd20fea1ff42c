/**
 * Chunk summaries of the IndexedDB store, for Node (fake-indexeddb) and Chromium: a history cut
 * from them is exactly the cut of the whole history, whatever the steps, values, flushes and
 * options; the cut of a long history reads summaries, not chunks; chunks without summaries
 * (databases from before schema version 3) are still cut exactly.
 */
import fc from "fast-check";
import { openDB, type IDBPDatabase } from "idb";
import { describe, expect, it } from "vitest";
import { cutHistory } from "../../src/downsample.js";
import type { HistorySummaryOptions } from "../../src/entities.js";
import { openIdbStore, type IdbStore } from "../../src/store/idb/index.js";
import type { TrackbookDB } from "../../src/store/idb/schema.js";
import type { PackedFlush } from "../../src/store/store.js";
import { expectTrackerError } from "./contract-helpers.js";
import { failNextPutWithQuota } from "./idb-quota.js";

const T = 1_700_000_000_000;
// Each property writes dozens of histories of up to 80k points: far longer than one test's default.
const PROPERTY_TIMEOUT = 300_000;

/** Logs `steps`/`values` to a new run of `store`, one flush per entry of `flushes` (point counts). */
async function logHistory(store: IdbStore, steps: Float64Array, values: Float64Array, flushes: number[]): Promise<string> {
  const runId = (await store.createRun({ experimentId: "0" })).info.runId;
  let at = 0;
  for (const size of [...flushes, Infinity]) {
    const to = Math.min(steps.length, at + size);
    if (to <= at) break;
    const m = to - at;
    const flush: PackedFlush = {
      kv: [],
      runIds: [runId],
      keys: ["loss"],
      points: { runSlots: new Uint32Array(m), keyIds: new Uint32Array(m), steps: steps.slice(at, to), values: values.slice(at, to), timestamps: steps.slice(at, to).map((s, i) => T + 10 * s + (i % 3)) },
    };
    await store.logPacked(flush);
    at = to;
  }
  return runId;
}

/** Asserts the store's cut equals the cut of the whole history it returns. */
async function expectExactCut(store: IdbStore, runId: string, options: HistorySummaryOptions): Promise<void> {
  const whole = cutHistory(await store.getMetricHistory(runId, "loss"), options);
  expect(await store.getMetricHistorySummary(runId, "loss", options)).toEqual(whole);
}

/** Steps of a history: kinds a training loop logs, and some that go backwards. */
const stepsArb = fc.oneof(
  fc.record({ kind: fc.constant("stride"), stride: fc.integer({ min: 0, max: 7 }), start: fc.integer({ min: -1000, max: 1000 }) }),
  fc.record({ kind: fc.constant("repeats"), every: fc.integer({ min: 1, max: 50 }), start: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ kind: fc.constant("back"), at: fc.nat(), start: fc.constant(0) }),
);

function makeSteps(n: number, s: { kind: string; stride?: number; every?: number; at?: number; start: number }): Float64Array {
  if (s.kind === "stride") return Float64Array.from({ length: n }, (_, i) => s.start + i * s.stride!);
  if (s.kind === "repeats") return Float64Array.from({ length: n }, (_, i) => s.start + Math.floor(i / s.every!));
  // Steps that restart once (a resumed run logging over old steps).
  const cut = n > 0 ? s.at! % n : 0;
  return Float64Array.from({ length: n }, (_, i) => (i < cut ? i : i - cut + Math.floor(cut / 2)));
}

function makeValues(n: number, seed: number, spikes: number[], nonFinite: number[]): Float64Array {
  let x = seed >>> 0 || 1;
  const y = Float64Array.from({ length: n }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32));
  spikes.forEach((at, j) => n > 0 && (y[at % n] = j % 2 ? -100 - j : 100 + j));
  nonFinite.forEach((at, j) => n > 0 && (y[at % n] = [NaN, Infinity, -Infinity][j % 3]!));
  return y;
}

/** The suite; `freshName()` gives a new database name each call. */
export function summarySuite(freshName: () => string, runs: number): void {
  describe("idb chunk summaries", () => {
    it("cut a history exactly as the whole history is cut, whatever the steps, values, flushes and options (property)", async () => {
      const store = await openIdbStore(freshName());
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 0, max: 80_000 }),
            stepsArb,
            fc.array(fc.integer({ min: 1, max: 40_000 }), { maxLength: 6 }),
            fc.integer(),
            fc.array(fc.nat(), { maxLength: 5 }),
            fc.array(fc.nat(), { maxLength: 4 }),
            fc.record({ budget: fc.oneof(fc.integer({ min: 4, max: 200 }), fc.integer({ min: 4, max: 3000 })), rawLimit: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }), range: fc.option(fc.tuple(fc.double({ min: -2000, max: 90_000, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { nil: undefined }) }),
            async (n, stepKind, flushes, seed, spikes, nonFinite, o) => {
              const steps = makeSteps(n, stepKind);
              const runId = await logHistory(store, steps, makeValues(n, seed, spikes, nonFinite), flushes);
              const options: HistorySummaryOptions = { budget: o.budget, ...(o.rawLimit !== undefined ? { rawLimit: o.rawLimit } : {}), ...(o.range ? { stepRange: [o.range[0], o.range[0] + o.range[1] * 40_000] as const } : {}) };
              await expectExactCut(store, runId, options);
              await expectExactCut(store, runId, {});
            },
          ),
          { numRuns: runs },
        );
      } finally {
        await store.close();
      }
    }, PROPERTY_TIMEOUT);

    it("cuts exactly when the cut's grid unit is exactly a summary cell wide (property over values)", async () => {
      const store = await openIdbStore(freshName());
      try {
        await fc.assert(
          fc.asyncProperty(fc.integer(), fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom(1, 2, 5), fc.integer({ min: 0, max: 3 }), async (seed, spikes, stride, shift) => {
            // 60,000 points, 100 buckets: 600 points a bucket, a grid unit of 64 points, cells of 64 points.
            const n = 60_000;
            const runId = await logHistory(store, Float64Array.from({ length: n }, (_, i) => 1000 * shift + i * stride), makeValues(n, seed, spikes, []), [10_000 * (shift + 1)]);
            await expectExactCut(store, runId, { budget: 400 });
            await expectExactCut(store, runId, { budget: 400, stepRange: [7777 * stride, 59_000 * stride] });
          }),
          { numRuns: Math.ceil(runs / 2) },
        );
      } finally {
        await store.close();
      }
    }, PROPERTY_TIMEOUT);

    it("cuts exactly a zoom that begins or ends in a small chunk (no summary) between summarised ones", async () => {
      const store = await openIdbStore(freshName());
      try {
        // Flushes of 40,000, 1,000 and 40,000 points: the 1,000 (steps 40,000–40,999) stay a chunk of their own, between summarised chunks.
        const n = 81_000;
        const runId = await logHistory(store, Float64Array.from({ length: n }, (_, i) => i), makeValues(n, 13, [40_500, 40_001], []), [40_000, 1000, 40_000]);
        for (const stepRange of [[40_500, 60_000], [20_000, 40_700], [40_100, 40_900], [39_000, 41_500], [0, 40_999], [41_000, 80_999]] as const) {
          for (const budget of [40, 400, 4000]) await expectExactCut(store, runId, { budget, rawLimit: 100, stepRange });
        }
      } finally {
        await store.close();
      }
    });

    it("cuts exactly when more chunks end on one step than one read of summaries brings", async () => {
      const store = await openIdbStore(freshName());
      try {
        // 300k points logged at step 10 (nine chunks end on it), between a few ordinary steps.
        const n = 300_020;
        const steps = Float64Array.from({ length: n }, (_, i) => (i < 10 ? i : i >= n - 10 ? i - n + 21 : 10));
        const runId = await logHistory(store, steps, makeValues(n, 9, [150_000], []), [100_000]);
        for (const stepRange of [[10, 10], [5, 15], [10, 30], [-5, 9]] as const) await expectExactCut(store, runId, { budget: 400, stepRange });
      } finally {
        await store.close();
      }
    });

    it("cuts a long history from its summaries: chunks whose points changed behind the store's back are not read", async () => {
      const name = freshName();
      const store = await openIdbStore(name);
      const n = 300_000;
      const steps = Float64Array.from({ length: n }, (_, i) => i);
      const runId = await logHistory(store, steps, makeValues(n, 7, [123_457, 250_001], [99]), [100_000, 100_000, 100_000]);
      // 1,000 steps a bucket: cells of 64 steps nest in the cut's grid.
      const options = { budget: 1200 };
      const before = await store.getMetricHistorySummary(runId, "loss", options);
      expect(before).toEqual(cutHistory(await store.getMetricHistory(runId, "loss"), options));
      expect(before.count).toBe(n);
      expect(before.steps.length).toBeLessThanOrEqual(1200);
      // The first and last point, and the spikes planted there: the global max and min.
      expect([0, n - 1, 123_457, 250_001].every((step) => before.steps.includes(step))).toBe(true);
      expect([Math.max(...before.values.filter(Number.isFinite)), Math.min(...before.values.filter(Number.isFinite))]).toEqual([100, -101]);
      await store.close();
      // Every value of every chunk with a summary becomes 0: a cut that read those chunks would see it.
      const changed = await scribbleOverSummarisedChunks(name, runId);
      expect(changed).toBeGreaterThan(5);
      const again = await openIdbStore(name);
      try {
        expect(await again.getMetricHistorySummary(runId, "loss", options)).toEqual(before);
        // A zoom reads the chunks it needs, which now hold zeros.
        const zoom = await again.getMetricHistorySummary(runId, "loss", { budget: 2400, rawLimit: 10_000, stepRange: [150_000, 159_999] });
        expect(zoom.count).toBe(10_000);
        expect(zoom.values.every((v) => v === 0)).toBe(true);
      } finally {
        await again.close();
      }
    });

    it("cuts chunks that have no summary (written before schema version 3) exactly, from the chunks themselves, and goes on summarising new ones", async () => {
      const name = freshName();
      const store = await openIdbStore(name);
      const n = 200_000;
      const runId = await logHistory(store, Float64Array.from({ length: n }, (_, i) => 3 * i), makeValues(n, 11, [4567], []), [70_000]);
      await store.close();
      await dropSummaries(name);
      const again = await openIdbStore(name);
      try {
        const cases = [{ budget: 2400 }, { budget: 400, stepRange: [30_000, 400_000] as const }, { budget: 40, rawLimit: 5000, stepRange: [3000, 15_000] as const }];
        for (const options of cases) await expectExactCut(again, runId, options);
        // New points get summaries; old and new chunks together still cut exactly.
        const more = Float64Array.from({ length: 100_000 }, (_, i) => 3 * (n + i));
        const flush: PackedFlush = { kv: [], runIds: [runId], keys: ["loss"], points: { runSlots: new Uint32Array(100_000), keyIds: new Uint32Array(100_000), steps: more, values: makeValues(100_000, 5, [777], []), timestamps: more.map((s) => T + s) } };
        await again.logPacked(flush);
        expect(await countSummaries(name, runId)).toBeGreaterThan(0);
        for (const options of [...cases, { budget: 400, stepRange: [500_000, 800_000] as const }]) await expectExactCut(again, runId, options);
      } finally {
        await again.close();
      }
    });

    it("keeps summaries as they were when a write fails to commit, and cuts exactly once writes succeed again", async () => {
      const name = freshName();
      const store = await openIdbStore(name);
      try {
        const n = 100_000;
        const runId = await logHistory(store, Float64Array.from({ length: n }, (_, i) => i), makeValues(n, 21, [5000], []), []);
        const options = { budget: 400 };
        const before = await store.getMetricHistorySummary(runId, "loss", options);
        const summaries = await countSummaries(name, runId);
        const more = Float64Array.from({ length: 50_000 }, (_, i) => n + i);
        const flush: PackedFlush = { kv: [], runIds: [runId], keys: ["loss"], points: { runSlots: new Uint32Array(50_000), keyIds: new Uint32Array(50_000), steps: more, values: makeValues(50_000, 4, [], []), timestamps: more.map((s) => T + s) } };
        const undo = failNextPutWithQuota("summaries");
        try {
          await expectTrackerError(store.logPacked(flush), "RESOURCE_EXHAUSTED");
        } finally {
          undo();
        }
        expect(await store.getMetricHistorySummary(runId, "loss", options)).toEqual(before);
        expect((await store.getMetricHistory(runId, "loss")).steps.length).toBe(n);
        expect(await countSummaries(name, runId)).toBe(summaries);
        const again = { ...flush, points: { ...flush.points, runSlots: new Uint32Array(50_000), keyIds: new Uint32Array(50_000), steps: more.slice(), values: makeValues(50_000, 4, [], []), timestamps: more.map((s) => T + s) } };
        await store.logPacked(again);
        await expectExactCut(store, runId, options);
        expect((await store.getMetricHistorySummary(runId, "loss", options)).count).toBe(n + 50_000);
      } finally {
        await store.close();
      }
    });

    it("removes a run's summaries with the run", async () => {
      const name = freshName();
      const store = await openIdbStore(name);
      const runId = await logHistory(store, Float64Array.from({ length: 50_000 }, (_, i) => i), makeValues(50_000, 3, [], []), []);
      try {
        expect(await countSummaries(name, runId)).toBeGreaterThan(0);
        await store.purgeRun(runId);
        expect(await countSummaries(name, runId)).toBe(0);
      } finally {
        await store.close();
      }
    });
  });
}

// Direct database access, as another version of trackbook (or a bug) would leave things.
async function withDb<T>(name: string, fn: (db: IDBPDatabase<TrackbookDB>) => Promise<T>): Promise<T> {
  const db = await openDB<TrackbookDB>(name);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

async function scribbleOverSummarisedChunks(name: string, runId: string): Promise<number> {
  return withDb(name, async (db) => {
    const tx = db.transaction(["chunks", "summaries"], "readwrite");
    const keys = await tx.objectStore("summaries").getAllKeys(IDBKeyRange.bound([runId], [runId, []]));
    for (const k of keys) {
      const row = (await tx.objectStore("chunks").get(k))!;
      await tx.objectStore("chunks").put({ ...row, values: new Float64Array(row.values.length) });
    }
    await tx.done;
    return keys.length;
  });
}

/** Leaves the database as versions before 3 wrote it: no summaries, and series that do not know whether their steps go down. */
async function dropSummaries(name: string): Promise<void> {
  await withDb(name, async (db) => {
    const tx = db.transaction(["summaries", "series"], "readwrite");
    await tx.objectStore("summaries").clear();
    for (const row of await tx.objectStore("series").getAll()) {
      const { ascending: _a, lastStep: _l, ...old } = row;
      await tx.objectStore("series").put(old);
    }
    await tx.done;
  });
}

async function countSummaries(name: string, runId: string): Promise<number> {
  return withDb(name, (db) => db.count("summaries", IDBKeyRange.bound([runId], [runId, []])));
}
