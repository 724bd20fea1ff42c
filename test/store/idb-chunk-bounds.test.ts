import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { cutHistory } from "../../src/downsample.js";
import { likelyWhole, remember } from "../../src/store/idb/chunk-bounds.js";
import { openIdbStore } from "../../src/store/idb/index.js";
import type { PackedFlush } from "../../src/store/store.js";

const chunk = (first: number, n: number, cell?: number) => ({ first, last: first + n - 1, n, ...(cell !== undefined ? { cell } : {}) });

describe("the chunk bounds a zoomed read guesses from", () => {
  it("name the chunks the cut will read whole: all of a range of few points, else those cut through, unsummarised or too coarse", () => {
    expect(likelyWhole("db", "r", "k", 0, 10, 100, 600)).toEqual([]);
    remember("db", "r", "k", [[0, chunk(0, 32_768, 6)], [1, chunk(32_768, 32_768, 6)], [2, chunk(65_536, 1_000)], [3, chunk(66_536, 32_768, 6)], [4, chunk(99_304, 32_768, 2)]], true);
    // 10k points, under the raw limit: every chunk reached.
    expect(likelyWhole("db", "r", "k", 30_000, 39_999, 10_000, 600)).toEqual([0, 1]);
    // 1M-step grid: units of 2^(⌊log2(130k/599)⌋-3) = 16 steps, finer than 64-step cells: all read.
    expect(likelyWhole("db", "r", "k", 1000, 130_000, 10_000, 600)).toEqual([0, 1, 2, 3, 4]);
    // Few buckets, wide units: only the ends, the unsummarised chunk and the finely-celled one pass.
    expect(likelyWhole("db", "r", "k", 1000, 130_000, 10_000, 10)).toEqual([0, 2, 4]);
    // A read of every chunk replaces what was known; a zoomed one adds to it.
    remember("db", "r", "k", [[7, chunk(0, 10)]], true);
    expect(likelyWhole("db", "r", "k", 0, 100, 10_000, 600)).toEqual([7]);
    remember("db", "r", "k", [[8, chunk(10, 10)]], false);
    expect(likelyWhole("db", "r", "k", 0, 100, 10_000, 600)).toEqual([7, 8]);
  });

  it("are only a guess: wrong ones leave a zoomed cut exact", async () => {
    const name = `chunk-bounds-${Date.now()}`;
    const store = await openIdbStore(name);
    try {
      const runId = (await store.createRun({ experimentId: "0" })).info.runId;
      const n = 200_000;
      const steps = Float64Array.from({ length: n }, (_, i) => i);
      const values = steps.map((s) => Math.sin(s / 300) + (s % 7919 === 0 ? 3 : 0));
      const flush: PackedFlush = { kv: [], runIds: [runId], keys: ["loss"], points: { runSlots: new Uint32Array(n), keyIds: new Uint32Array(n), steps, values, timestamps: steps.map((s) => 1e12 + s) } };
      await store.logPacked(flush);
      const whole = await store.getMetricHistory(runId, "loss");
      const ranges: [number, number][] = [[0, 9_999], [50_000, 149_999], [123_456, 133_455], [-5, 5], [190_000, 250_000]];
      const check = async () => {
        for (const stepRange of ranges) {
          const options = { budget: 2400, rawLimit: 10_000, stepRange };
          expect(await store.getMetricHistorySummary(runId, "loss", options)).toEqual(cutHistory(whole, options));
        }
      };
      // Nothing known, then what a cold read of every summary taught, then bounds that are wrong.
      await check();
      await store.getMetricHistorySummary(runId, "loss", { budget: 2400 });
      await check();
      remember(name, runId, "loss", Array.from({ length: 12 }, (_, no) => [no, chunk(no * 1000, 500, no % 3 ? 6 : undefined)] as [number, ReturnType<typeof chunk>]), true);
      await check();
    } finally {
      await store.close();
    }
  });
});
