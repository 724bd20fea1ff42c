/**
 * Contract: calls in flight at once, the promise-only error channel, and close().
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type { Metric } from "../../src/entities.js";
import { isTrackerError } from "../../src/errors.js";
import { cols, expectedHistory, expectTrackerError, history, pt, T0, type ContractContext } from "./contract-helpers.js";

export function concurrencyContract(ctx: ContractContext): void {
  describe("concurrency", () => {
    it("keeps two runs logging at once complete, in order and apart", { timeout: 60_000 }, async () => {
      const [a, b] = await Promise.all([
        ctx.store.createRun({ experimentId: "0", runName: "A" }),
        ctx.store.createRun({ experimentId: "0", runName: "B" }),
      ]);
      const runs = [a!.info.runId, b!.info.runId];
      const logged: Metric[][] = [[], []];
      const calls: Promise<void>[] = [];
      for (let i = 0; i < 60; i++) {
        for (const r of [0, 1]) {
          const points = [pt("loss", r * 1000 + i, i, T0 + i), pt("acc", r * 1000 + i + 0.5, i, T0 + i)];
          logged[r]!.push(...points);
          calls.push(
            ctx.store.logBatch(runs[r]!, {
              metrics: cols(...points),
              params: [{ key: `p${i}`, value: `${r}:${i}` }],
              tags: [{ key: "last", value: `${r}:${i}` }],
            }),
          );
        }
      }
      await Promise.all(calls);
      for (const r of [0, 1]) {
        const id = runs[r]!;
        expect(await history(ctx.store, id, "loss")).toEqual(expectedHistory("loss", logged[r]!));
        expect(await history(ctx.store, id, "acc")).toEqual(expectedHistory("acc", logged[r]!));
        const got = await ctx.store.getRun(id);
        expect(Object.keys(got.data.params)).toHaveLength(60);
        for (const [k, v] of Object.entries(got.data.params)) expect(v).toBe(`${r}:${k.slice(1)}`);
        expect(got.data.tags.last).toBe(`${r}:59`);
        expect(got.data.metrics).toEqual({ loss: r * 1000 + 59, acc: r * 1000 + 59.5 });
      }
    });

    it("applies many concurrent logBatch calls on one run in call order", { timeout: 60_000 }, async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const points: Metric[] = [];
      const calls: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) {
        // Steps go down and values are scrambled, so only call order explains the result.
        const p = pt("m", (i * 37) % 101, 200 - i, T0);
        points.push(p);
        calls.push(ctx.store.logBatch(run.info.runId, { metrics: cols(p), tags: [{ key: "seq", value: String(i) }] }));
      }
      await Promise.all(calls);
      expect(await history(ctx.store, run.info.runId, "m")).toEqual(expectedHistory("m", points));
      expect((await ctx.store.getRun(run.info.runId)).data.tags.seq).toBe("199");
    });

    it("keeps a failing batch from disturbing the batches around it", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const id = run.info.runId;
      const results = await Promise.allSettled([
        ctx.store.logBatch(id, { metrics: cols(pt("m", 1, 0)) }),
        ctx.store.logBatch(id, { metrics: cols(pt("m", 2, 1), pt("a//b", 0, 0)) }),
        ctx.store.logBatch(id, { metrics: cols(pt("m", 3, 2)) }),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(isTrackerError((results[1] as PromiseRejectedResult).reason, "INVALID_PARAMETER_VALUE")).toBe(true);
      expect((await history(ctx.store, id, "m")).values).toEqual([1, 3]);
    });

    it("lets exactly one of several concurrent param writes with different values win", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      const values = ["a", "b", "c", "d", "e"];
      const results = await Promise.allSettled(
        values.map((v) => ctx.store.logBatch(run.info.runId, { params: [{ key: "p", value: v }] })),
      );
      const won = values.filter((_, i) => results[i]!.status === "fulfilled");
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(isTrackerError(r.reason, "INVALID_PARAMETER_VALUE")).toBe(true);
      expect((await ctx.store.getRun(run.info.runId)).data.params).toEqual({ p: won[0] });
    });

    it("lets exactly one of several concurrent experiments with one name be created", async () => {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => ctx.store.createExperiment({ name: "race" })));
      const ok = results.filter((r): r is PromiseFulfilledResult<string> => r.status === "fulfilled");
      expect(ok).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(isTrackerError(r.reason, "RESOURCE_ALREADY_EXISTS")).toBe(true);
      expect((await ctx.store.getExperimentByName("race"))?.experimentId).toBe(ok[0]!.value);
    });

    it("creates many runs at once with distinct ids", async () => {
      const runs = await Promise.all(Array.from({ length: 30 }, (_, i) => ctx.store.createRun({ experimentId: "0", runName: `r${i}` })));
      expect(new Set(runs.map((r) => r.info.runId)).size).toBe(30);
      const found = await ctx.store.searchRuns({ experimentIds: ["0"] });
      expect(found.runs.map((r) => r.info.runId)).toEqual(expect.arrayContaining(runs.map((r) => r.info.runId)));
      for (const [i, r] of runs.entries()) expect(r.info.runName).toBe(`r${i}`);
    });
  });

  describe("errors", () => {
    it("reports bad input through a rejected promise, never a synchronous throw", async () => {
      const s = ctx.store;
      const calls: Array<() => Promise<unknown>> = [
        () => s.createExperiment({ name: "" }),
        () => s.getExperiment("abc"),
        () => s.renameExperiment("abc", "x"),
        () => s.deleteExperiment("abc"),
        () => s.restoreExperiment("abc"),
        () => s.setExperimentTag("abc", "k", "v"),
        () => s.createRun({ experimentId: "abc" }),
        () => s.updateRun("abc", {}),
        () => s.deleteRun("abc"),
        () => s.restoreRun("abc"),
        () => s.logBatch("abc", {}),
        () => s.getRun("abc"),
        () => s.getMetricHistory("abc", "k"),
        () => s.searchRuns({ experimentIds: ["0"], maxResults: 0 }),
        () => s.searchExperiments({ maxResults: 0 }),
      ];
      for (const call of calls) {
        let p: Promise<unknown> | undefined;
        expect(() => {
          p = call();
        }).not.toThrow();
        await expectTrackerError(p!, "INVALID_PARAMETER_VALUE");
      }
    });
  });

  describe("close", () => {
    it.skipIf(ctx.options.skipClose === true)("rejects every call after close() with INVALID_STATE", async () => {
      const s = ctx.store;
      const exp = await s.createExperiment({ name: "before-close" });
      const run = await s.createRun({ experimentId: exp });
      const id = run.info.runId;
      await s.close();
      ctx.markClosed();
      const calls: Array<[string, () => Promise<unknown>]> = [
        ["createExperiment", () => s.createExperiment({ name: "after-close" })],
        ["getExperiment", () => s.getExperiment(exp)],
        ["getExperimentByName", () => s.getExperimentByName("before-close")],
        ["searchExperiments", () => s.searchExperiments()],
        ["renameExperiment", () => s.renameExperiment(exp, "renamed")],
        ["deleteExperiment", () => s.deleteExperiment(exp)],
        ["restoreExperiment", () => s.restoreExperiment(exp)],
        ["setExperimentTag", () => s.setExperimentTag(exp, "k", "v")],
        ["createRun", () => s.createRun({ experimentId: exp })],
        ["updateRun", () => s.updateRun(id, { status: "FINISHED" })],
        ["deleteRun", () => s.deleteRun(id)],
        ["restoreRun", () => s.restoreRun(id)],
        ["logBatch", () => s.logBatch(id, { metrics: cols(pt("loss", 1)) })],
        ["getRun", () => s.getRun(id)],
        ["searchRuns", () => s.searchRuns({ experimentIds: [exp] })],
        ["getMetricHistory", () => s.getMetricHistory(id, "loss")],
      ];
      for (const [name, call] of calls) {
        let p: Promise<unknown> | undefined;
        expect(() => {
          p = call();
        }, name).not.toThrow();
        await expectTrackerError(p!, "INVALID_STATE");
      }
    });
  });
}
