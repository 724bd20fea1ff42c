import "fake-indexeddb/auto";
import { openDB } from "idb";
import { describe, expect, it } from "vitest";
import { appendPoints, historyOf, type ChunkAccess, type Points } from "../../src/store/idb/chunks.js";
import { groupByKey } from "../../src/store/idb/group.js";
import { CHUNK_POINTS, openIdbStore } from "../../src/store/idb/index.js";
import type { ChunkRow, SeriesRow } from "../../src/store/idb/schema.js";
import { cols, pt, series } from "./contract-helpers.js";

/** Chunks in a Map, counting the points each put writes. */
function memoryChunks() {
  const rows = new Map<number, ChunkRow>();
  let written = 0;
  const access: ChunkAccess = {
    get: async (no) => rows.get(no)!,
    put: (row) => {
      written += row.values.length;
      rows.set(row.chunkNo, row);
    },
    delete: (no) => void rows.delete(no),
  };
  const ordered = () => [...rows.values()].sort((a, b) => a.chunkNo - b.chunkNo);
  return { access, ordered, written: () => written };
}

function points(from: number, n: number): Points {
  const steps = Float64Array.from({ length: n }, (_, i) => from + i);
  return { steps, values: steps.map((s) => -s), timestamps: steps.map((s) => 1000 + s) };
}

const popcount = (n: number) => n.toString(2).replaceAll("0", "").length;

describe("idb chunks", () => {
  it("merges single-point appends like a binary counter: few records, each point rewritten ~log2 times", async () => {
    const m = memoryChunks();
    const s: SeriesRow = { runId: "r", key: "k", next: 0, open: [] };
    for (let i = 0; i < 1000; i++) await appendPoints(s, points(i, 1), m.access);
    const rows = m.ordered();
    expect(rows.map((r) => r.values.length)).toEqual([512, 256, 128, 64, 32, 8]);
    expect(rows.length).toBe(popcount(1000));
    expect(Array.from(historyOf("k", rows).steps)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // A point is written once per merge it takes part in: at most 1 + log2(1000) times.
    expect(m.written()).toBeLessThanOrEqual(1000 * 11);
  });

  it("seals a full chunk and starts the next one after it", async () => {
    const m = memoryChunks();
    const s: SeriesRow = { runId: "r", key: "k", next: 0, open: [] };
    for (let i = 0; i < CHUNK_POINTS + 3; i++) await appendPoints(s, points(i, 1), m.access);
    expect(m.ordered().map((r) => r.values.length)).toEqual([CHUNK_POINTS, 2, 1]);
    expect(s.open.map(([, len]) => len)).toEqual([2, 1]);
  });

  it("cuts a large append into full chunks and fills an open tail when the two fit together", async () => {
    const m = memoryChunks();
    const s: SeriesRow = { runId: "r", key: "k", next: 0, open: [] };
    const C = CHUNK_POINTS;
    await appendPoints(s, points(0, 2 * C + 1000), m.access);
    expect(m.ordered().map((r) => r.values.length)).toEqual([C, C, 1000]);
    await appendPoints(s, points(2 * C + 1000, C - 1000), m.access);
    const rows = m.ordered();
    expect(rows.map((r) => r.values.length)).toEqual([C, C, C]);
    expect(s.open).toEqual([]);
    const h = historyOf("k", rows);
    expect(Array.from(h.steps)).toEqual(Array.from({ length: 3 * C }, (_, i) => i));
    expect(Array.from(h.values)).toEqual(Array.from(h.steps, (x) => -x));
    // Stored rows own exactly their points (structured clone would store a larger buffer whole),
    // in the small forms: counting steps as their first, timestamps as int32 offsets.
    for (const [i, r] of rows.entries()) {
      expect(r.values.buffer.byteLength).toBe(r.values.length * 8);
      expect(r.steps).toEqual({ first: i * C, stride: 1 });
      expect(r.timestamps).toEqual({ base: 1000 + i * C, offsets: Int32Array.from({ length: C }, (_, j) => j) });
    }
  });

  it("keeps a key listed twice in one batch as one series, in logging order", () => {
    const m = { keys: ["a", "b", "a"], keyIds: Uint32Array.of(0, 1, 2, 0), values: Float64Array.of(1, 2, 3, 4), steps: Float64Array.of(0, 0, 1, 2), timestamps: Float64Array.of(5, 5, 5, 5) };
    const g = groupByKey([m, cols(pt("a", 5, 3))]);
    expect(Array.from(g.get("a")!.values)).toEqual([1, 3, 4, 5]);
    expect(Array.from(g.get("b")!.values)).toEqual([2]);
  });

  it("stores a key logged one point per flush in log2-many records, read back whole", async () => {
    const name = "chunks-store";
    const store = await openIdbStore(name);
    const runId = (await store.createRun({ experimentId: "0" })).info.runId;
    const all = series("loss", 300, (i) => i / 7);
    for (const p of all) await store.logBatch(runId, { metrics: cols(p) });
    await store.logPacked({
      kv: [],
      runIds: [runId],
      keys: ["acc"],
      points: { runSlots: new Uint32Array(10_000), keyIds: new Uint32Array(10_000), values: new Float64Array(10_000).fill(1), steps: Float64Array.from({ length: 10_000 }, (_, i) => i), timestamps: new Float64Array(10_000) },
    });
    const h = await store.getMetricHistory(runId, "loss");
    expect(Array.from(h.values)).toEqual(all.map((p) => p.value));
    expect((await store.getMetricHistory(runId, "acc")).steps.length).toBe(10_000);
    await store.close();
    const db = await openDB(name);
    const keys = (await db.getAllKeys("chunks")) as [string, string, number][];
    expect(keys.filter((k) => k[1] === "loss").length).toBe(popcount(300));
    expect(keys.filter((k) => k[1] === "acc").length).toBe(Math.ceil(10_000 / CHUNK_POINTS));
    db.close();
  });
});
