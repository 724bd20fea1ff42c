/**
 * Contract: experiments (create, read, rename, tag, delete, restore, search).
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import type { Experiment } from "../../src/entities.js";
import { LIMITS } from "../../src/validation.js";
import { expectNearNow, expectTrackerError, INVALID_KEYS, type ContractContext } from "./contract-helpers.js";

const UNKNOWN_EXPERIMENT_ID = "987654321";
const MALFORMED_EXPERIMENT_IDS: readonly unknown[] = ["abc", "01", "", "-1", "1.5", " 1", 7, null, undefined];
const BAD_NAMES: ReadonlyArray<readonly [unknown, string]> = [
  ["", "empty"],
  ["   ", "whitespace only"],
  ["\t\n", "tab and newline only"],
  ["n".repeat(LIMITS.maxExperimentNameLength + 1), "501 characters"],
  [42, "a number"],
  [null, "null"],
  [undefined, "undefined"],
  [{ name: "x" }, "an object"],
];

async function countExperiments(ctx: ContractContext): Promise<number> {
  const page = await ctx.store.searchExperiments({ viewType: "ALL", maxResults: LIMITS.maxResultsLimit });
  return page.experiments.length;
}

function ids(experiments: readonly Experiment[]): string[] {
  return experiments.map((e) => e.experimentId);
}

export function experimentContract(ctx: ContractContext): void {
  describe("experiments", () => {
    it("starts with the active Default experiment with id 0", async () => {
      const e = await ctx.store.getExperiment("0");
      expect(e.experimentId).toBe("0");
      expect(e.name).toBe("Default");
      expect(e.lifecycleStage).toBe("active");
      expect(e.tags).toEqual({});
      expect(typeof e.artifactLocation).toBe("string");
      expect(Number.isInteger(e.creationTime)).toBe(true);
      expect(Number.isInteger(e.lastUpdateTime)).toBe(true);
      expect((await ctx.store.getExperimentByName("Default"))?.experimentId).toBe("0");
      expect(ids((await ctx.store.searchExperiments()).experiments)).toContain("0");
    });

    it("creates an experiment with a digit-string id and reads it back", async () => {
      const before = Date.now();
      const id = await ctx.store.createExperiment({ name: "mnist", artifactLocation: "file:///tmp/art", tags: { team: "vision" } });
      const after = Date.now();
      expect(id).toMatch(/^\d+$/);
      expect(id).not.toBe("0");
      const e = await ctx.store.getExperiment(id);
      expect(e).toMatchObject({ experimentId: id, name: "mnist", artifactLocation: "file:///tmp/art", lifecycleStage: "active" });
      expect(e.tags).toEqual({ team: "vision" });
      expectNearNow(e.creationTime, before, after);
      expectNearNow(e.lastUpdateTime, before, after);
      expect(await ctx.store.getExperimentByName("mnist")).toEqual(e);
    });

    it("assigns a string artifact location when none is given", async () => {
      const id = await ctx.store.createExperiment({ name: "no-location" });
      const e = await ctx.store.getExperiment(id);
      expect(typeof e.artifactLocation).toBe("string");
      expect(e.artifactLocation.length).toBeGreaterThan(0);
      expect(e.tags).toEqual({});
    });

    it("gives every new experiment a distinct id", async () => {
      const made: string[] = [];
      for (let i = 0; i < 8; i++) made.push(await ctx.store.createExperiment({ name: `distinct-${i}` }));
      expect(new Set([...made, "0"]).size).toBe(9);
    });

    it("accepts names of exactly 500 characters, counted in code points, and any characters", async () => {
      for (const name of ["n".repeat(500), "🧪".repeat(500), "精度 / run #1 (test)"]) {
        const id = await ctx.store.createExperiment({ name });
        expect((await ctx.store.getExperiment(id)).name).toBe(name);
      }
    });

    it.each(BAD_NAMES)("rejects the experiment name %j (%s) and creates nothing", async (name) => {
      const n = await countExperiments(ctx);
      await expectTrackerError(ctx.store.createExperiment({ name: name as string }), "INVALID_PARAMETER_VALUE");
      expect(await countExperiments(ctx)).toBe(n);
    });

    it("rejects a name already used by an active experiment", async () => {
      await ctx.store.createExperiment({ name: "taken" });
      await expectTrackerError(ctx.store.createExperiment({ name: "taken" }), "RESOURCE_ALREADY_EXISTS");
      await expectTrackerError(ctx.store.createExperiment({ name: "Default" }), "RESOURCE_ALREADY_EXISTS");
    });

    it("rejects a name already used by a deleted experiment", async () => {
      const id = await ctx.store.createExperiment({ name: "gone" });
      await ctx.store.deleteExperiment(id);
      const n = await countExperiments(ctx);
      await expectTrackerError(ctx.store.createExperiment({ name: "gone" }), "RESOURCE_ALREADY_EXISTS");
      expect(await countExperiments(ctx)).toBe(n);
    });

    it.each(INVALID_KEYS)("rejects the experiment tag key %j (%s) and creates no experiment", async (key) => {
      await expectTrackerError(
        ctx.store.createExperiment({ name: "tagged", tags: { ok: "1", [key]: "v" } }),
        "INVALID_PARAMETER_VALUE",
      );
      expect(await ctx.store.getExperimentByName("tagged")).toBeUndefined();
    });

    it("rejects an over-long or non-string experiment tag value and creates no experiment", async () => {
      const long = "v".repeat(LIMITS.maxExperimentTagValueLength + 1);
      await expectTrackerError(ctx.store.createExperiment({ name: "long-tag", tags: { k: long } }), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(
        ctx.store.createExperiment({ name: "long-tag", tags: { k: 5 as unknown as string } }),
        "INVALID_PARAMETER_VALUE",
      );
      expect(await ctx.store.getExperimentByName("long-tag")).toBeUndefined();
    });

    it("rejects an unknown experiment id with RESOURCE_DOES_NOT_EXIST", async () => {
      await expectTrackerError(ctx.store.getExperiment(UNKNOWN_EXPERIMENT_ID), "RESOURCE_DOES_NOT_EXIST");
    });

    it.each(MALFORMED_EXPERIMENT_IDS)("rejects the malformed experiment id %j with INVALID_PARAMETER_VALUE", async (id) => {
      await expectTrackerError(ctx.store.getExperiment(id as string), "INVALID_PARAMETER_VALUE");
    });

    it("returns undefined from getExperimentByName for a missing name, and finds deleted experiments", async () => {
      expect(await ctx.store.getExperimentByName("nope")).toBeUndefined();
      const id = await ctx.store.createExperiment({ name: "to-delete" });
      await ctx.store.deleteExperiment(id);
      const e = await ctx.store.getExperimentByName("to-delete");
      expect(e?.experimentId).toBe(id);
      expect(e?.lifecycleStage).toBe("deleted");
    });

    it("renames an experiment, freeing the old name", async () => {
      const id = await ctx.store.createExperiment({ name: "old-name" });
      const created = await ctx.store.getExperiment(id);
      await ctx.store.renameExperiment(id, "new-name");
      const e = await ctx.store.getExperiment(id);
      expect(e.name).toBe("new-name");
      expect(e.lastUpdateTime).toBeGreaterThanOrEqual(created.lastUpdateTime);
      expect(await ctx.store.getExperimentByName("old-name")).toBeUndefined();
      expect((await ctx.store.getExperimentByName("new-name"))?.experimentId).toBe(id);
      const again = await ctx.store.createExperiment({ name: "old-name" });
      expect(again).not.toBe(id);
    });

    it("rejects renaming to an invalid or taken name and keeps the old name", async () => {
      const id = await ctx.store.createExperiment({ name: "keep-me" });
      await ctx.store.createExperiment({ name: "other" });
      for (const [bad] of BAD_NAMES) {
        await expectTrackerError(ctx.store.renameExperiment(id, bad as string), "INVALID_PARAMETER_VALUE");
      }
      await expectTrackerError(ctx.store.renameExperiment(id, "other"), "RESOURCE_ALREADY_EXISTS");
      await expectTrackerError(ctx.store.renameExperiment(id, "Default"), "RESOURCE_ALREADY_EXISTS");
      expect((await ctx.store.getExperiment(id)).name).toBe("keep-me");
      await expectTrackerError(ctx.store.renameExperiment(UNKNOWN_EXPERIMENT_ID, "fresh"), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.renameExperiment("abc", "fresh"), "INVALID_PARAMETER_VALUE");
    });

    it("sets and overwrites experiment tags", async () => {
      const id = await ctx.store.createExperiment({ name: "tags", tags: { a: "1" } });
      await ctx.store.setExperimentTag(id, "b", "2");
      await ctx.store.setExperimentTag(id, "a", "3");
      await ctx.store.setExperimentTag(id, "精度/é", "");
      const max = "é".repeat(LIMITS.maxExperimentTagValueLength);
      await ctx.store.setExperimentTag(id, "long", max);
      expect((await ctx.store.getExperiment(id)).tags).toEqual({ a: "3", b: "2", "精度/é": "", long: max });
      await ctx.store.setExperimentTag("0", "on-default", "yes");
      expect((await ctx.store.getExperiment("0")).tags).toEqual({ "on-default": "yes" });
    });

    it("rejects a bad experiment tag and leaves the tags unchanged", async () => {
      const id = await ctx.store.createExperiment({ name: "bad-tags", tags: { a: "1" } });
      for (const [key] of INVALID_KEYS) {
        await expectTrackerError(ctx.store.setExperimentTag(id, key, "v"), "INVALID_PARAMETER_VALUE");
      }
      const long = "v".repeat(LIMITS.maxExperimentTagValueLength + 1);
      await expectTrackerError(ctx.store.setExperimentTag(id, "a", long), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(ctx.store.setExperimentTag(id, "a", 1 as unknown as string), "INVALID_PARAMETER_VALUE");
      expect((await ctx.store.getExperiment(id)).tags).toEqual({ a: "1" });
      await expectTrackerError(ctx.store.setExperimentTag(UNKNOWN_EXPERIMENT_ID, "a", "1"), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.setExperimentTag("01", "a", "1"), "INVALID_PARAMETER_VALUE");
    });

    it("deletes an experiment and all its runs, and hides them from active searches", async () => {
      const id = await ctx.store.createExperiment({ name: "doomed" });
      const keep = await ctx.store.createExperiment({ name: "kept" });
      const r1 = await ctx.store.createRun({ experimentId: id });
      const r2 = await ctx.store.createRun({ experimentId: id });
      const other = await ctx.store.createRun({ experimentId: keep });
      await ctx.store.deleteExperiment(id);

      expect((await ctx.store.getExperiment(id)).lifecycleStage).toBe("deleted");
      for (const r of [r1, r2]) expect((await ctx.store.getRun(r.info.runId)).info.lifecycleStage).toBe("deleted");
      expect((await ctx.store.getRun(other.info.runId)).info.lifecycleStage).toBe("active");

      const search = async (runViewType: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL") =>
        (await ctx.store.searchRuns({ experimentIds: [id], runViewType })).runs.map((r) => r.info.runId).sort();
      const both = [r1.info.runId, r2.info.runId].sort();
      expect(await search("ACTIVE_ONLY")).toEqual([]);
      expect(await search("DELETED_ONLY")).toEqual(both);
      expect(await search("ALL")).toEqual(both);
      expect((await ctx.store.searchRuns({ experimentIds: [id] })).runs).toEqual([]);

      expect(ids((await ctx.store.searchExperiments()).experiments)).not.toContain(id);
      expect(ids((await ctx.store.searchExperiments({ viewType: "ACTIVE_ONLY" })).experiments)).not.toContain(id);
      const deletedOnly = ids((await ctx.store.searchExperiments({ viewType: "DELETED_ONLY" })).experiments);
      expect(deletedOnly).toContain(id);
      expect(deletedOnly).not.toContain(keep);
      expect(deletedOnly).not.toContain("0");
      const all = ids((await ctx.store.searchExperiments({ viewType: "ALL" })).experiments);
      expect(all).toEqual(expect.arrayContaining([id, keep, "0"]));
    });

    it("refuses to create a run in a deleted experiment with INVALID_STATE", async () => {
      const id = await ctx.store.createExperiment({ name: "closed-shop" });
      await ctx.store.deleteExperiment(id);
      await expectTrackerError(ctx.store.createRun({ experimentId: id }), "INVALID_STATE");
      expect((await ctx.store.searchRuns({ experimentIds: [id], runViewType: "ALL" })).runs).toEqual([]);
    });

    it("refuses to delete the Default experiment", async () => {
      await expectTrackerError(ctx.store.deleteExperiment("0"), "INVALID_PARAMETER_VALUE");
      expect((await ctx.store.getExperiment("0")).lifecycleStage).toBe("active");
    });

    it("rejects deleting or restoring an unknown or malformed experiment id", async () => {
      await expectTrackerError(ctx.store.deleteExperiment(UNKNOWN_EXPERIMENT_ID), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.restoreExperiment(UNKNOWN_EXPERIMENT_ID), "RESOURCE_DOES_NOT_EXIST");
      await expectTrackerError(ctx.store.deleteExperiment("x1"), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(ctx.store.restoreExperiment("x1"), "INVALID_PARAMETER_VALUE");
    });

    it("restores an experiment and its runs", async () => {
      const id = await ctx.store.createExperiment({ name: "phoenix" });
      const r1 = await ctx.store.createRun({ experimentId: id });
      const r2 = await ctx.store.createRun({ experimentId: id });
      await ctx.store.deleteExperiment(id);
      await ctx.store.restoreExperiment(id);
      expect((await ctx.store.getExperiment(id)).lifecycleStage).toBe("active");
      for (const r of [r1, r2]) expect((await ctx.store.getRun(r.info.runId)).info.lifecycleStage).toBe("active");
      const active = (await ctx.store.searchRuns({ experimentIds: [id] })).runs.map((r) => r.info.runId).sort();
      expect(active).toEqual([r1.info.runId, r2.info.runId].sort());
      expect(ids((await ctx.store.searchExperiments()).experiments)).toContain(id);
      expect(ids((await ctx.store.searchExperiments({ viewType: "DELETED_ONLY" })).experiments)).not.toContain(id);
      const r3 = await ctx.store.createRun({ experimentId: id });
      expect(r3.info.experimentId).toBe(id);
    });

    it("returns copies: mutating a returned experiment changes nothing in the store", async () => {
      const id = await ctx.store.createExperiment({ name: "frozen", tags: { a: "1" } });
      const e = await ctx.store.getExperiment(id);
      e.name = "mutated";
      e.tags.a = "mutated";
      e.tags.extra = "x";
      e.lifecycleStage = "deleted";
      const byName = await ctx.store.getExperimentByName("frozen");
      byName!.tags.b = "y";
      const page = await ctx.store.searchExperiments();
      for (const x of page.experiments) x.tags.c = "z";
      expect(await ctx.store.getExperiment(id)).toMatchObject({ name: "frozen", lifecycleStage: "active", tags: { a: "1" } });
      expect((await ctx.store.getExperiment(id)).tags).toEqual({ a: "1" });
      expect((await ctx.store.getExperiment("0")).tags).toEqual({});
    });

    it("does not keep a reference to the input tags object", async () => {
      const tags: Record<string, string> = { a: "1" };
      const id = await ctx.store.createExperiment({ name: "input-copy", tags });
      tags.a = "changed";
      tags.b = "added";
      expect((await ctx.store.getExperiment(id)).tags).toEqual({ a: "1" });
    });
  });
}
