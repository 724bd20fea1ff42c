/**
 * Contract: logBatch (validation, atomicity, params, tags, limits) and metric histories.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type { LogBatch, Metric } from "../../src/entities.js";
import { logMetric, logParam, setTag } from "../../src/store/store.js";
import { LIMITS } from "../../src/validation.js";
import {
  cols,
  expectedHistory,
  expectRunUnchanged,
  expectTrackerError,
  history,
  INVALID_KEYS,
  looseCols,
  pt,
  series,
  snapshotRun,
  T0,
  VALID_KEYS,
  type ContractContext,
} from "./contract-helpers.js";

/** A run with one metric, one param and one tag already logged, so "unchanged" means something. */
async function seededRun(ctx: ContractContext): Promise<string> {
  const run = await ctx.store.createRun({ experimentId: "0", runName: "seeded" });
  await ctx.store.logBatch(run.info.runId, {
    metrics: cols(pt("loss", 1, 0), pt("loss", 0.5, 1)),
    params: [{ key: "lr", value: "0.01" }],
    tags: [{ key: "team", value: "vision" }],
  });
  return run.info.runId;
}

/** Asserts the batch is rejected with INVALID_PARAMETER_VALUE and nothing in it was stored. */
async function expectBatchRejected(ctx: ContractContext, runId: string, batch: LogBatch, keys: readonly string[] = []): Promise<void> {
  const before = await snapshotRun(ctx.store, runId, ["loss", "ok", ...keys]);
  await expectTrackerError(ctx.store.logBatch(runId, batch), "INVALID_PARAMETER_VALUE");
  await expectRunUnchanged(ctx.store, before, ["loss", "ok", ...keys]);
}

// A function, not a constant: a worker store transfers (detaches) the metric columns it is given,
// so every batch must bring its own.
const goodParts = (): LogBatch => ({
  metrics: cols(pt("ok", 1, 0)),
  params: [{ key: "p-ok", value: "1" }],
  tags: [{ key: "t-ok", value: "1" }],
});

export function loggingContract(ctx: ContractContext): void {
  describe("logBatch", () => {
    it("stores metrics, params and tags and returns them from getRun and getMetricHistory", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const id = run.info.runId;
      const points = [pt("loss", 0.9, 0, T0), pt("acc", 0.1, 0, T0), pt("loss", 0.7, 1, T0 + 1), pt("acc", 0.4, 1, T0 + 1)];
      await ctx.store.logBatch(id, {
        metrics: cols(...points),
        params: [{ key: "lr", value: "0.01" }, { key: "optimizer", value: "adam" }],
        tags: [{ key: "team", value: "vision" }],
      });
      const got = await ctx.store.getRun(id);
      expect(got.data.metrics).toEqual({ loss: 0.7, acc: 0.4 });
      expect(got.data.params).toEqual({ lr: "0.01", optimizer: "adam" });
      expect(got.data.tags).toMatchObject({ team: "vision", "mlflow.runName": run.info.runName });
      expect(await history(ctx.store, id, "loss")).toEqual(expectedHistory("loss", points));
      expect(await history(ctx.store, id, "acc")).toEqual(expectedHistory("acc", points));
    });

    it("accepts an empty batch and changes nothing", async () => {
      const id = await seededRun(ctx);
      const before = await snapshotRun(ctx.store, id);
      await ctx.store.logBatch(id, {});
      await ctx.store.logBatch(id, { metrics: cols(), params: [], tags: [] });
      await expectRunUnchanged(ctx.store, before);
    });

    it("works through the derived logMetric, logParam and setTag helpers", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      await logMetric(ctx.store, run.info.runId, pt("loss", 0.25, 3, T0 + 3));
      await logParam(ctx.store, run.info.runId, "lr", "0.1");
      await setTag(ctx.store, run.info.runId, "note", "hello\nworld");
      const got = await ctx.store.getRun(run.info.runId);
      expect(got.data.metrics).toEqual({ loss: 0.25 });
      expect(got.data.params).toEqual({ lr: "0.1" });
      expect(got.data.tags.note).toBe("hello\nworld");
    });

    it("accepts Unicode and punctuated keys for metrics, params and tags", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const id = run.info.runId;
      await ctx.store.logBatch(id, {
        metrics: cols(...VALID_KEYS.map((k, i) => pt(k, i, 0))),
        params: VALID_KEYS.map((k) => ({ key: k, value: `p:${k.slice(0, 5)}` })),
        tags: VALID_KEYS.map((k) => ({ key: k, value: `t:${k.slice(0, 5)}` })),
      });
      const got = await ctx.store.getRun(id);
      for (const [i, k] of VALID_KEYS.entries()) {
        expect(got.data.metrics[k]).toBe(i);
        expect(got.data.params[k]).toBe(`p:${k.slice(0, 5)}`);
        expect(got.data.tags[k]).toBe(`t:${k.slice(0, 5)}`);
        expect((await history(ctx.store, id, k)).values).toEqual([i]);
      }
    });

    it("stores NaN, ±Infinity, -0, tiny and huge values exactly", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const id = run.info.runId;
      const specials: Array<[string, number]> = [
        ["nan", Number.NaN],
        ["inf", Number.POSITIVE_INFINITY],
        ["ninf", Number.NEGATIVE_INFINITY],
        ["nzero", -0],
        ["tiny", 1e-300],
        ["denormal", 5e-324],
        ["huge", 1e21],
        ["max", Number.MAX_VALUE],
      ];
      await ctx.store.logBatch(id, { metrics: cols(...specials.map(([k, v]) => pt(k, v))) });
      await ctx.store.logBatch(id, { metrics: cols(pt("mixed", Number.NaN, 0), pt("mixed", -0, 1), pt("mixed", Infinity, 2)) });
      const got = await ctx.store.getRun(id);
      for (const [k, v] of specials) {
        expect(Object.is(got.data.metrics[k], v), `latest ${k}`).toBe(true);
        const h = await history(ctx.store, id, k);
        expect(h.values.length).toBe(1);
        expect(Object.is(h.values[0], v), `history ${k}`).toBe(true);
      }
      const mixed = await history(ctx.store, id, "mixed");
      expect(Object.is(mixed.values[0], Number.NaN)).toBe(true);
      expect(Object.is(mixed.values[1], -0)).toBe(true);
      expect(mixed.values[2]).toBe(Infinity);
    });

    it("accepts negative, zero and extreme safe-integer steps and a zero timestamp", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const points = [
        pt("s", 1, -5, 0),
        pt("s", 2, 0, 0),
        pt("s", 3, Number.MAX_SAFE_INTEGER, T0),
        pt("s", 4, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
      ];
      await ctx.store.logBatch(run.info.runId, { metrics: cols(...points) });
      expect(await history(ctx.store, run.info.runId, "s")).toEqual(expectedHistory("s", points));
    });

    it.each(INVALID_KEYS)("rejects the key %j (%s) for metrics, params and tags and writes nothing", async (key) => {
      const id = await seededRun(ctx);
      // The bad key is not read back through getMetricHistory (a store may reject it there too);
      // getRun's data shows whether anything under it was stored.
      await expectBatchRejected(ctx, id, { ...goodParts(), metrics: cols(pt("ok", 1, 0), pt(key, 1, 0)) });
      await expectBatchRejected(ctx, id, { ...goodParts(), params: [{ key: "p-ok", value: "1" }, { key, value: "v" }] });
      await expectBatchRejected(ctx, id, { ...goodParts(), tags: [{ key: "t-ok", value: "1" }, { key, value: "v" }] });
    });

    it("rejects non-string keys and values and writes nothing", async () => {
      const id = await seededRun(ctx);
      const bad = [42, null, undefined, {}] as unknown as string[];
      for (const x of bad) {
        await expectBatchRejected(ctx, id, { ...goodParts(), params: [{ key: x, value: "v" }] });
        await expectBatchRejected(ctx, id, { ...goodParts(), params: [{ key: "p", value: x }] });
        await expectBatchRejected(ctx, id, { ...goodParts(), tags: [{ key: x, value: "v" }] });
        await expectBatchRejected(ctx, id, { ...goodParts(), tags: [{ key: "t", value: x }] });
        const p = { step: 0, timestamp: T0, value: 1 };
        await expectBatchRejected(ctx, id, { ...goodParts(), metrics: looseCols([{ ...p, key: "ok" }, { ...p, key: x }]) });
      }
    });

    const badPoints: ReadonlyArray<readonly [string, Partial<Record<"value" | "step" | "timestamp", unknown>>]> = [
      ["a string value", { value: "x" }],
      ["a numeric-string value", { value: "1" }],
      ["a boolean value", { value: true }],
      ["a bigint value", { value: 1n }],
      ["a null value", { value: null }],
      ["an undefined value", { value: undefined }],
      ["an object value", { value: {} }],
      ["a negative timestamp", { timestamp: -1 }],
      ["a fractional timestamp", { timestamp: T0 + 0.5 }],
      ["a NaN timestamp", { timestamp: Number.NaN }],
      ["an infinite timestamp", { timestamp: Infinity }],
      ["a string timestamp", { timestamp: String(T0) }],
      ["a fractional step", { step: 1.5 }],
      ["a NaN step", { step: Number.NaN }],
      ["an infinite step", { step: -Infinity }],
      ["a string step", { step: "1" }],
    ];

    it.each(badPoints)("rejects a metric point with %s and writes nothing", async (_what, patch) => {
      const id = await seededRun(ctx);
      const ok = { key: "ok", value: 1, step: 0, timestamp: T0 };
      const bad = { key: "loss", value: 7, step: 9, timestamp: T0 + 9, ...patch };
      // Plain arrays: a typed array could not carry the bad value.
      await expectBatchRejected(ctx, id, { ...goodParts(), metrics: looseCols([ok, { ...ok, step: 1 }, bad, { ...ok, step: 2 }]) });
    });

    it("rejects malformed metric columns and writes nothing", async () => {
      const id = await seededRun(ctx);
      const base = cols(pt("ok", 1, 0), pt("ok", 2, 1));
      await expectBatchRejected(ctx, id, { metrics: { ...base, keyIds: Uint32Array.of(0, 5) } });
      await expectBatchRejected(ctx, id, { metrics: { ...base, steps: Float64Array.of(0) } });
      await expectBatchRejected(ctx, id, { metrics: { ...base, timestamps: Float64Array.of(T0, T0, T0) } });
      await expectBatchRejected(ctx, id, { metrics: { ...base, keyIds: Uint32Array.of(0) } });
    });

    it("accepts a param value of 6000 characters and a tag value of 8000, counted in code points", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const p = "😀".repeat(LIMITS.maxParamValueLength);
      const t = "😀".repeat(LIMITS.maxRunTagValueLength);
      await ctx.store.logBatch(run.info.runId, { params: [{ key: "p", value: p }], tags: [{ key: "t", value: t }] });
      const got = await ctx.store.getRun(run.info.runId);
      expect(got.data.params.p).toBe(p);
      expect(got.data.tags.t).toBe(t);
    });

    it("rejects an over-long param value or tag value and writes nothing", async () => {
      const id = await seededRun(ctx);
      const p = "v".repeat(LIMITS.maxParamValueLength + 1);
      const t = "v".repeat(LIMITS.maxRunTagValueLength + 1);
      await expectBatchRejected(ctx, id, { ...goodParts(), params: [{ key: "p", value: p }] });
      await expectBatchRejected(ctx, id, { ...goodParts(), tags: [{ key: "t", value: t }] });
    });

    it("rejects a duplicate param key within one batch, even with the same value, and writes nothing", async () => {
      const id = await seededRun(ctx);
      const dupSame = [{ key: "d", value: "1" }, { key: "x", value: "2" }, { key: "d", value: "1" }];
      const dupDiff = [{ key: "d", value: "1" }, { key: "d", value: "2" }];
      await expectBatchRejected(ctx, id, { ...goodParts(), params: dupSame });
      await expectBatchRejected(ctx, id, { ...goodParts(), params: dupDiff });
    });

    it("accepts a batch at each size limit", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const id = run.info.runId;
      await ctx.store.logBatch(id, { metrics: cols(...series("m", LIMITS.maxMetricsPerBatch, (i) => i)) });
      const params = Array.from({ length: LIMITS.maxParamsPerBatch }, (_, i) => ({ key: `p${i}`, value: `${i}` }));
      const tags = Array.from({ length: LIMITS.maxTagsPerBatch }, (_, i) => ({ key: `t${i}`, value: `${i}` }));
      await ctx.store.logBatch(id, { params, tags });
      const got = await ctx.store.getRun(id);
      expect(Object.keys(got.data.params).length).toBe(LIMITS.maxParamsPerBatch);
      expect(got.data.tags.t99).toBe("99");
      expect((await history(ctx.store, id, "m")).steps.length).toBe(LIMITS.maxMetricsPerBatch);
    });

    it("rejects a batch over a size limit and writes nothing", async () => {
      const id = await seededRun(ctx);
      const metrics = (n: number) => cols(...series("big", n, (i) => i));
      const params = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `bp${i}`, value: "v" }));
      const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `bt${i}`, value: "v" }));
      await expectBatchRejected(ctx, id, { metrics: metrics(LIMITS.maxMetricsPerBatch + 1) }, ["big"]);
      await expectBatchRejected(ctx, id, { params: params(LIMITS.maxParamsPerBatch + 1) });
      await expectBatchRejected(ctx, id, { tags: tags(LIMITS.maxTagsPerBatch + 1) });
      // Each part within its own limit, but more than 1000 entities in all.
      await expectBatchRejected(ctx, id, { metrics: metrics(950), params: params(60) }, ["big"]);
    });

    it("treats re-logging a param with the same value as a no-op and writes the rest of the batch", async () => {
      const id = await seededRun(ctx);
      await ctx.store.logBatch(id, { params: [{ key: "lr", value: "0.01" }, { key: "new", value: "x" }], metrics: cols(pt("ok", 3, 0)) });
      const got = await ctx.store.getRun(id);
      expect(got.data.params).toEqual({ lr: "0.01", new: "x" });
      expect(got.data.metrics.ok).toBe(3);
    });

    it("rejects a param re-logged with a different value and writes nothing", async () => {
      const id = await seededRun(ctx);
      await expectBatchRejected(ctx, id, { ...goodParts(), params: [{ key: "p-ok", value: "1" }, { key: "lr", value: "0.02" }] });
      // Whitespace matters: "0.01 " is another value.
      await expectBatchRejected(ctx, id, { params: [{ key: "lr", value: "0.01 " }] });
      expect((await ctx.store.getRun(id)).data.params).toEqual({ lr: "0.01" });
    });

    it("overwrites tags and keeps the last value given in one batch", async () => {
      const id = await seededRun(ctx);
      await setTag(ctx.store, id, "team", "audio");
      expect((await ctx.store.getRun(id)).data.tags.team).toBe("audio");
      await ctx.store.logBatch(id, { tags: [{ key: "team", value: "a" }, { key: "team", value: "b" }] });
      expect((await ctx.store.getRun(id)).data.tags.team).toBe("b");
    });

    it("renames the run when the mlflow.runName tag is set", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", runName: "old" });
      await setTag(ctx.store, run.info.runId, "mlflow.runName", "new");
      const got = await ctx.store.getRun(run.info.runId);
      expect(got.info.runName).toBe("new");
      expect(got.data.tags["mlflow.runName"]).toBe("new");
    });

    it("allows logging to a finished run", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      await ctx.store.updateRun(run.info.runId, { status: "FINISHED", endTime: T0 });
      await logMetric(ctx.store, run.info.runId, pt("late", 1));
      expect((await ctx.store.getRun(run.info.runId)).data.metrics.late).toBe(1);
    });

    it("rejects logging to an unknown run, a malformed id or a deleted run", async () => {
      const batch = { metrics: cols(pt("loss", 1)) };
      await expectTrackerError(ctx.store.logBatch("0123456789abcdef0123456789abcdef", batch), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.logBatch("not-a-run", batch), "INVALID_PARAMETER_VALUE");
      const id = await seededRun(ctx);
      await ctx.store.deleteRun(id);
      const before = await snapshotRun(ctx.store, id);
      await expectTrackerError(ctx.store.logBatch(id, batch), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(setTag(ctx.store, id, "t", "v"), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(logParam(ctx.store, id, "p", "v"), "INVALID_PARAMETER_VALUE");
      await expectRunUnchanged(ctx.store, before);
    });
  });

  describe("latest metric values and histories", () => {
    async function latestAfter(batches: Metric[][]): Promise<number | undefined> {
      const run = await ctx.store.createRun({ experimentId: "0" });
      for (const b of batches) await ctx.store.logBatch(run.info.runId, { metrics: cols(...b) });
      return (await ctx.store.getRun(run.info.runId)).data.metrics.m;
    }

    it("takes the point with the largest step as latest, whatever the logging order", async () => {
      expect(await latestAfter([[pt("m", 1, 5), pt("m", 2, 2), pt("m", 3, 9), pt("m", 4, 7)]])).toBe(3);
      expect(await latestAfter([[pt("m", 1, 5)], [pt("m", 2, 2)], [pt("m", 3, 9)], [pt("m", 4, 7)]])).toBe(3);
      expect(await latestAfter([[pt("m", 1, -5)], [pt("m", 2, -1)], [pt("m", 3, -3)]])).toBe(2);
    });

    it("breaks a step tie by the larger timestamp", async () => {
      expect(await latestAfter([[pt("m", 1, 3, T0 + 200), pt("m", 2, 3, T0 + 100)]])).toBe(1);
      expect(await latestAfter([[pt("m", 2, 3, T0 + 100)], [pt("m", 1, 3, T0 + 200)]])).toBe(1);
      expect(await latestAfter([[pt("m", 1, 3, T0 + 200)], [pt("m", 2, 3, T0 + 100)]])).toBe(1);
    });

    it("breaks a step and timestamp tie by the larger value", async () => {
      expect(await latestAfter([[pt("m", 5, 3), pt("m", 2, 3)]])).toBe(5);
      expect(await latestAfter([[pt("m", -1, 3)], [pt("m", 7, 3)]])).toBe(7);
      expect(await latestAfter([[pt("m", 7, 3)], [pt("m", -1, 3)]])).toBe(7);
    });

    it("returns every point in logging order, repeated steps included", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const points = [pt("m", 1, 0), pt("m", 2, 0), pt("m", 3, 5), pt("m", 4, 1), pt("m", 5, 1, T0 + 1), pt("m", 6, -2)];
      await ctx.store.logBatch(run.info.runId, { metrics: cols(...points.slice(0, 3)) });
      await ctx.store.logBatch(run.info.runId, { metrics: cols(...points.slice(3)) });
      expect(await history(ctx.store, run.info.runId, "m")).toEqual(expectedHistory("m", points));
    });

    it("keeps histories of different keys apart", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const points = [pt("a", 1, 0), pt("b", 10, 0), pt("a/b", 100, 0), pt("a", 2, 1), pt("b", 20, 1)];
      await ctx.store.logBatch(run.info.runId, { metrics: cols(...points) });
      for (const k of ["a", "b", "a/b"]) expect(await history(ctx.store, run.info.runId, k)).toEqual(expectedHistory(k, points));
    });

    it("returns empty arrays for a key the run never logged", async () => {
      const id = await seededRun(ctx);
      const h = await ctx.store.getMetricHistory(id, "never");
      expect(h.key).toBe("never");
      expect(h.steps).toBeInstanceOf(Float64Array);
      expect(h.values).toBeInstanceOf(Float64Array);
      expect(h.timestamps).toBeInstanceOf(Float64Array);
      expect([h.steps.length, h.values.length, h.timestamps.length]).toEqual([0, 0, 0]);
    });

    it("rejects getMetricHistory of an unknown or malformed run", async () => {
      await expectTrackerError(ctx.store.getMetricHistory("0123456789abcdef0123456789abcdef", "loss"), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.getMetricHistory("bad", "loss"), "INVALID_PARAMETER_VALUE");
    });

    it("returns the history of a deleted run", async () => {
      const id = await seededRun(ctx);
      await ctx.store.deleteRun(id);
      expect((await history(ctx.store, id, "loss")).values).toEqual([1, 0.5]);
    });

    it("returns a large history logged over several batches complete and in order", { timeout: 60_000 }, async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const all: Metric[] = [];
      for (let b = 0; b < 5; b++) {
        const chunk = series("big", 1000, (i) => Math.sin(b * 1000 + i), b * 1000);
        all.push(...chunk);
        await ctx.store.logBatch(run.info.runId, { metrics: cols(...chunk) });
      }
      const h = await history(ctx.store, run.info.runId, "big");
      expect(h.steps.length).toBe(5000);
      expect(h).toEqual(expectedHistory("big", all));
      expect((await ctx.store.getRun(run.info.runId)).data.metrics.big).toBe(Math.sin(4999));
    });
  });
}
