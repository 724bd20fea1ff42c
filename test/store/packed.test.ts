import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unpackFlush, type RunColumns } from "../../src/store/packed.js";
import type { PackedFlush } from "../../src/store/store.js";

const KEYS = ["loss", "acc", "lr", "grad/norm"];
const RUNS = ["r0", "r1", "r2", "r3", "r4"];

const flushArb = fc
  .record({
    points: fc.array(fc.tuple(fc.nat(RUNS.length - 1), fc.nat(KEYS.length - 1), fc.double({ noNaN: true }), fc.integer({ min: -5, max: 50 })), { maxLength: 400 }),
    kvRuns: fc.subarray(RUNS),
    maxPoints: fc.integer({ min: 1, max: 64 }),
    scratch: fc.boolean(),
  })
  .map(({ points, kvRuns, maxPoints, scratch }) => {
    const flush: PackedFlush = {
      kv: kvRuns.map((runId) => ({ runId, batch: { params: [{ key: "p", value: runId }] } })),
      runIds: RUNS,
      keys: KEYS,
      points: {
        runSlots: Uint32Array.from(points, (p) => p[0]),
        keyIds: Uint32Array.from(points, (p) => p[1]),
        values: Float64Array.from(points, (p) => p[2]),
        steps: Float64Array.from(points, (p) => p[3]),
        timestamps: Float64Array.from(points, (_, i) => i),
      },
    };
    return { flush, points, maxPoints, scratch };
  });

describe("store/packed", () => {
  it("unpacks a flush into each run's params first, then its points in logging order, in chunks of at most maxPoints", () => {
    fc.assert(
      fc.property(flushArb, ({ flush, points, maxPoints, scratch }) => {
        // Scratch columns longer than needed, as the Arrow store hands out.
        const into = scratch ? (n: number): RunColumns => ({ keyIds: new Uint32Array(n + 7), values: new Float64Array(n + 7), steps: new Float64Array(n + 7), timestamps: new Float64Array(n + 7), order: new Uint32Array(n + 3) }) : undefined;
        const entries = unpackFlush(flush, maxPoints, into);
        for (const runId of RUNS) {
          const mine = entries.filter((e) => e.runId === runId);
          const got: [string, number, number, number][] = [];
          let seenMetrics = false;
          for (const { batch } of mine) {
            if (batch.params) expect(seenMetrics).toBe(false);
            if (!batch.metrics) continue;
            seenMetrics = true;
            const m = batch.metrics;
            expect(m.values.length).toBeGreaterThan(0);
            expect(m.values.length).toBeLessThanOrEqual(maxPoints);
            for (let i = 0; i < m.values.length; i++) got.push([m.keys[m.keyIds[i]!]!, m.values[i]!, m.steps[i]!, m.timestamps[i]!]);
          }
          const slot = RUNS.indexOf(runId);
          const want = points.flatMap((p, i) => (p[0] === slot ? [[KEYS[p[1]]!, p[2], p[3], i] as [string, number, number, number]] : []));
          expect(got).toEqual(want);
          expect(mine.some((e) => e.batch.params)).toBe(flush.kv.some((e) => e.runId === runId));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gives each run's chunks one key list holding only the keys that run used", () => {
    const flush: PackedFlush = {
      kv: [],
      runIds: ["a", "b"],
      keys: ["k0", "k1", "k2"],
      points: { runSlots: Uint32Array.of(0, 1, 0, 1), keyIds: Uint32Array.of(2, 0, 2, 1), values: Float64Array.of(1, 2, 3, 4), steps: new Float64Array(4), timestamps: new Float64Array(4) },
    };
    const entries = unpackFlush(flush, 1);
    expect(entries.map((e) => [e.runId, e.batch.metrics!.keys])).toEqual([
      ["a", ["k2"]],
      ["a", ["k2"]],
      ["b", ["k0", "k1"]],
      ["b", ["k0", "k1"]],
    ]);
    // Chunks of one run share one key list and one buffer (one transfer to a worker).
    expect(entries[0]!.batch.metrics!.keys).toBe(entries[1]!.batch.metrics!.keys);
    expect(entries[0]!.batch.metrics!.values.buffer).toBe(entries[2]!.batch.metrics!.values.buffer);
  });
});
