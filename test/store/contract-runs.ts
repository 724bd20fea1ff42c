/**
 * Contract: runs (create, get, update, delete, restore) and the copy rule for returned runs.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { RUN_STATUSES, type RunStatus } from "../../src/entities.js";
import { logMetric } from "../../src/store/store.js";
import { cols, expectNearNow, expectTrackerError, INVALID_KEYS, pt, T0, type ContractContext } from "./contract-helpers.js";

const RUN_NAME_TAG = "mlflow.runName";
const RUN_ID = /^[0-9a-f]{32}$/;
const UNKNOWN_RUN_ID = "0123456789abcdef0123456789abcdef";
const MALFORMED_RUN_IDS: readonly unknown[] = [
  "",
  "abc",
  "0123456789ABCDEF0123456789ABCDEF",
  "0123456789abcdef0123456789abcde",
  "0123456789abcdef0123456789abcdef0",
  "g123456789abcdef0123456789abcdef",
  "0123456789abcdef-123456789abcdef",
  42,
  null,
  undefined,
];

export function runContract(ctx: ContractContext): void {
  describe("runs", () => {
    it("creates a RUNNING, active run with a 32-hex id, the given fields and a runName tag", async () => {
      const exp = await ctx.store.createExperiment({ name: "runs" });
      const run = await ctx.store.createRun({
        experimentId: exp,
        runName: "first",
        userId: "ada",
        startTime: T0,
        tags: { team: "vision", "精度": "高" },
      });
      expect(run.info.runId).toMatch(RUN_ID);
      expect(run.info).toMatchObject({
        runName: "first",
        experimentId: exp,
        userId: "ada",
        status: "RUNNING",
        startTime: T0,
        endTime: null,
        lifecycleStage: "active",
      });
      expect(typeof run.info.artifactUri).toBe("string");
      expect(run.info.artifactUri).toContain(run.info.runId);
      expect(run.data.tags).toMatchObject({ team: "vision", "精度": "高", [RUN_NAME_TAG]: "first" });
      expect(run.data.params).toEqual({});
      expect(run.data.metrics).toEqual({});
      expect(await ctx.store.getRun(run.info.runId)).toEqual(run);
    });

    it("creates runs in the Default experiment", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      expect(run.info.experimentId).toBe("0");
      expect((await ctx.store.searchRuns({ experimentIds: ["0"] })).runs.map((r) => r.info.runId)).toContain(run.info.runId);
    });

    it("defaults the start time to now and the user id to a string", async () => {
      const before = Date.now();
      const run = await ctx.store.createRun({ experimentId: "0" });
      const after = Date.now();
      expectNearNow(run.info.startTime, before, after);
      expect(typeof run.info.userId).toBe("string");
    });

    it("takes the run name from the mlflow.runName tag when runName is absent", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", tags: { [RUN_NAME_TAG]: "from-tag" } });
      expect(run.info.runName).toBe("from-tag");
      expect(run.data.tags[RUN_NAME_TAG]).toBe("from-tag");
    });

    it("prefers runName over the mlflow.runName tag and keeps the two equal", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", runName: "arg", tags: { [RUN_NAME_TAG]: "tag" } });
      expect(run.info.runName).toBe("arg");
      expect(run.data.tags[RUN_NAME_TAG]).toBe("arg");
    });

    it("generates a non-empty run name when none is given and tags the run with it", async () => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      expect(typeof run.info.runName).toBe("string");
      expect(run.info.runName.length).toBeGreaterThan(0);
      expect(run.data.tags[RUN_NAME_TAG]).toBe(run.info.runName);
    });

    it("gives every new run a distinct id", async () => {
      const made = new Set<string>();
      for (let i = 0; i < 20; i++) made.add((await ctx.store.createRun({ experimentId: "0" })).info.runId);
      expect(made.size).toBe(20);
    });

    it("keeps a given run id", async () => {
      const runId = "abcdef0123456789abcdef0123456789";
      const run = await ctx.store.createRun({ experimentId: "0", runId });
      expect(run.info.runId).toBe(runId);
      expect(run.info.artifactUri).toContain(runId);
      expect((await ctx.store.getRun(runId)).info.runId).toBe(runId);
    });

    // undefined and null both mean "no run id given" here, so the store makes one.
    it.each(MALFORMED_RUN_IDS.filter((id) => id !== undefined && id !== null))(
      "rejects the malformed given run id %j and creates no run",
      async (runId) => {
        const exp = await ctx.store.createExperiment({ name: "malformed-ids" });
        await expectTrackerError(ctx.store.createRun({ experimentId: exp, runId: runId as string }), "INVALID_PARAMETER_VALUE");
        expect((await ctx.store.searchRuns({ experimentIds: [exp], runViewType: "ALL" })).runs).toEqual([]);
      },
    );

    it("rejects a run id that already exists, even in another experiment", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", runName: "original" });
      const exp = await ctx.store.createExperiment({ name: "elsewhere" });
      await expectTrackerError(ctx.store.createRun({ experimentId: "0", runId: run.info.runId }), "RESOURCE_ALREADY_EXISTS");
      await expectTrackerError(ctx.store.createRun({ experimentId: exp, runId: run.info.runId }), "RESOURCE_ALREADY_EXISTS");
      expect(await ctx.store.getRun(run.info.runId)).toEqual(run);
      await ctx.store.deleteRun(run.info.runId);
      await expectTrackerError(ctx.store.createRun({ experimentId: "0", runId: run.info.runId }), "RESOURCE_ALREADY_EXISTS");
    });

    it("rejects an unknown experiment with RESOURCE_DOES_NOT_EXIST and a malformed one with INVALID_PARAMETER_VALUE", async () => {
      await expectTrackerError(ctx.store.createRun({ experimentId: "987654321" }), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.createRun({ experimentId: "abc" }), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(ctx.store.createRun({ experimentId: "01" }), "INVALID_PARAMETER_VALUE");
    });

    it.each(INVALID_KEYS)("rejects the run tag key %j (%s) and creates no run", async (key) => {
      const exp = await ctx.store.createExperiment({ name: "bad-run-tags" });
      const runId = "feedfacefeedfacefeedfacefeedface";
      await expectTrackerError(
        ctx.store.createRun({ experimentId: exp, runId, tags: { good: "1", [key]: "v" } }),
        "INVALID_PARAMETER_VALUE",
      );
      expect((await ctx.store.searchRuns({ experimentIds: [exp], runViewType: "ALL" })).runs).toEqual([]);
      await expectTrackerError(ctx.store.getRun(runId), "RESOURCE_DOES_NOT_EXIST");
    });

    it("rejects an over-long or non-string run tag value and creates no run", async () => {
      const exp = await ctx.store.createExperiment({ name: "long-run-tags" });
      await expectTrackerError(ctx.store.createRun({ experimentId: exp, tags: { k: "v".repeat(8001) } }), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(
        ctx.store.createRun({ experimentId: exp, tags: { k: 1 as unknown as string } }),
        "INVALID_PARAMETER_VALUE",
      );
      expect((await ctx.store.searchRuns({ experimentIds: [exp], runViewType: "ALL" })).runs).toEqual([]);
    });

    it("rejects a negative or fractional start time and creates no run", async () => {
      const exp = await ctx.store.createExperiment({ name: "bad-start" });
      for (const startTime of [-1, 1.5, Number.NaN, "5" as unknown as number]) {
        await expectTrackerError(ctx.store.createRun({ experimentId: exp, startTime }), "INVALID_PARAMETER_VALUE");
      }
      expect((await ctx.store.searchRuns({ experimentIds: [exp], runViewType: "ALL" })).runs).toEqual([]);
    });

    it("rejects getRun of an unknown id with RESOURCE_DOES_NOT_EXIST", async () => {
      await expectTrackerError(ctx.store.getRun(UNKNOWN_RUN_ID), "RESOURCE_DOES_NOT_EXIST");
    });

    it.each(MALFORMED_RUN_IDS)("rejects getRun of the malformed id %j with INVALID_PARAMETER_VALUE", async (runId) => {
      await expectTrackerError(ctx.store.getRun(runId as string), "INVALID_PARAMETER_VALUE");
    });

    it("updates status and end time and returns the new info", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", runName: "to-finish", startTime: T0 });
      const info = await ctx.store.updateRun(run.info.runId, { status: "FINISHED", endTime: T0 + 1000 });
      expect(info).toEqual({ ...run.info, status: "FINISHED", endTime: T0 + 1000 });
      expect((await ctx.store.getRun(run.info.runId)).info).toEqual(info);
    });

    it("changes only the fields in the patch", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", runName: "partial" });
      const info = await ctx.store.updateRun(run.info.runId, { status: "KILLED" });
      expect(info).toEqual({ ...run.info, status: "KILLED" });
      const info2 = await ctx.store.updateRun(run.info.runId, { endTime: T0 });
      expect(info2).toEqual({ ...run.info, status: "KILLED", endTime: T0 });
      const info3 = await ctx.store.updateRun(run.info.runId, {});
      expect(info3).toEqual(info2);
    });

    it.each(RUN_STATUSES)("accepts the status %s", async (status: RunStatus) => {
      const run = await ctx.store.createRun({ experimentId: "0" });
      expect((await ctx.store.updateRun(run.info.runId, { status })).status).toBe(status);
      expect((await ctx.store.getRun(run.info.runId)).info.status).toBe(status);
    });

    it("renames a run through updateRun and updates the mlflow.runName tag", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", runName: "before" });
      const info = await ctx.store.updateRun(run.info.runId, { runName: "after" });
      expect(info.runName).toBe("after");
      const got = await ctx.store.getRun(run.info.runId);
      expect(got.info.runName).toBe("after");
      expect(got.data.tags[RUN_NAME_TAG]).toBe("after");
    });

    it("rejects a bad status or end time and changes nothing", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", runName: "steady" });
      const bad: unknown[] = [
        { status: "DONE" },
        { status: "finished" },
        { status: 3 },
        { status: "FINISHED", endTime: -1 },
        { status: "FINISHED", endTime: 1.5 },
        { status: "FINISHED", endTime: "1" },
        { runName: "renamed", status: "NOPE" },
      ];
      for (const patch of bad) {
        await expectTrackerError(ctx.store.updateRun(run.info.runId, patch as never), "INVALID_PARAMETER_VALUE");
      }
      expect(await ctx.store.getRun(run.info.runId)).toEqual(run);
    });

    it("rejects updateRun of an unknown, malformed or deleted run", async () => {
      await expectTrackerError(ctx.store.updateRun(UNKNOWN_RUN_ID, { status: "FINISHED" }), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.updateRun("nope", { status: "FINISHED" }), "INVALID_PARAMETER_VALUE");
      const run = await ctx.store.createRun({ experimentId: "0" });
      await ctx.store.deleteRun(run.info.runId);
      await expectTrackerError(ctx.store.updateRun(run.info.runId, { status: "FINISHED" }), "INVALID_PARAMETER_VALUE");
      expect((await ctx.store.getRun(run.info.runId)).info.status).toBe("RUNNING");
    });

    it("deletes and restores a run, which getRun still returns while deleted", async () => {
      const run = await ctx.store.createRun({ experimentId: "0", runName: "lazarus" });
      await logMetric(ctx.store, run.info.runId, pt("loss", 0.5));
      await ctx.store.deleteRun(run.info.runId);
      const deleted = await ctx.store.getRun(run.info.runId);
      expect(deleted.info.lifecycleStage).toBe("deleted");
      expect(deleted.info.runName).toBe("lazarus");
      expect(deleted.data.metrics).toEqual({ loss: 0.5 });
      await ctx.store.restoreRun(run.info.runId);
      const restored = await ctx.store.getRun(run.info.runId);
      expect(restored.info.lifecycleStage).toBe("active");
      expect(restored.data.metrics).toEqual({ loss: 0.5 });
    });

    it("rejects deleting or restoring an unknown or malformed run", async () => {
      await expectTrackerError(ctx.store.deleteRun(UNKNOWN_RUN_ID), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.restoreRun(UNKNOWN_RUN_ID), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.deleteRun("xyz"), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(ctx.store.restoreRun("xyz"), "INVALID_PARAMETER_VALUE");
    });

    it("returns copies: mutating a returned run or history changes nothing in the store", async () => {
      const created = await ctx.store.createRun({ experimentId: "0", runName: "frozen", tags: { a: "1" } });
      const runId = created.info.runId;
      await ctx.store.logBatch(runId, { metrics: cols(pt("loss", 1, 0), pt("loss", 2, 1)), params: [{ key: "p", value: "v" }] });
      const before = await ctx.store.getRun(runId);
      const snapshot = structuredClone(before);

      created.info.runName = "mutated";
      created.data.tags.a = "mutated";
      before.info.status = "FAILED";
      before.data.params.p = "mutated";
      before.data.metrics.loss = 99;
      before.data.tags.extra = "x";
      const page = await ctx.store.searchRuns({ experimentIds: ["0"] });
      for (const r of page.runs) r.data.params.q = "injected";
      const info = await ctx.store.updateRun(runId, {});
      info.runName = "mutated-info";
      const h = await ctx.store.getMetricHistory(runId, "loss");
      h.values[0] = 42;
      h.steps[1] = 42;
      h.timestamps[0] = 42;

      expect(await ctx.store.getRun(runId)).toEqual(snapshot);
      const h2 = await ctx.store.getMetricHistory(runId, "loss");
      expect(Array.from(h2.values)).toEqual([1, 2]);
      expect(Array.from(h2.steps)).toEqual([0, 1]);
      expect(Array.from(h2.timestamps)).toEqual([T0, T0]);
    });

    it("does not keep references to the caller's inputs", async () => {
      const tags: Record<string, string> = { a: "1" };
      const run = await ctx.store.createRun({ experimentId: "0", tags });
      tags.a = "changed";
      const batch = { metrics: cols(pt("loss", 1, 0)), params: [{ key: "p", value: "v" }], tags: [{ key: "t", value: "1" }] };
      await ctx.store.logBatch(run.info.runId, batch);
      // A worker may have transferred (detached) the typed arrays; writing to them is then a no-op.
      if (batch.metrics.values.length > 0) batch.metrics.values[0] = 42;
      batch.metrics.keys[0] = "renamed";
      batch.params[0]!.value = "changed";
      batch.tags[0]!.value = "changed";
      const got = await ctx.store.getRun(run.info.runId);
      expect(got.data.tags).toMatchObject({ a: "1", t: "1" });
      expect(got.data.params).toEqual({ p: "v" });
      expect(got.data.metrics).toEqual({ loss: 1 });
      expect(Array.from((await ctx.store.getMetricHistory(run.info.runId, "loss")).values)).toEqual([1]);
    });
  });
}
