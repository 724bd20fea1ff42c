/**
 * Contract: searchRuns and searchExperiments (filters, view types, ordering, paging, bad input).
 *
 * @module
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Run, SearchExperimentsQuery, SearchRunsQuery } from "../../src/entities.js";
import { searchAllRuns } from "../../src/store/store.js";
import { cols, expectTrackerError, pt, T0, type ContractContext } from "./contract-helpers.js";

type Fixture = { exp: string; other: string; byName: Record<string, string> };

/**
 * Five runs in one experiment plus one in another:
 *
 * | name | start | loss (latest) | acc | lr    | team   | status   |
 * |------|-------|---------------|-----|-------|--------|----------|
 * | a    | T0+30 | 0.1 (was 0.9) | 0.5 | 0.01  | vision | FINISHED |
 * | b    | T0+20 | 0.4           |     | 0.1   | vision | RUNNING  |
 * | c    | T0+20 | 0.9           | 0.7 | 0.01  | audio  | FINISHED |
 * | d    | T0+10 | NaN           |     | 0.001 |        | FAILED   |
 * | e    | T0+40 |               |     |       | vision | RUNNING  |
 * | x    | T0+50 | 0.05 (other experiment)                         |
 */
async function buildFixture(ctx: ContractContext): Promise<Fixture> {
  const s = ctx.store;
  const exp = await s.createExperiment({ name: "search-runs" });
  const other = await s.createExperiment({ name: "search-other" });
  const byName: Record<string, string> = {};
  const make = async (name: string, start: number, experimentId = exp) => {
    const run = await s.createRun({ experimentId, runName: name, startTime: start });
    byName[name] = run.info.runId;
    return run.info.runId;
  };
  const a = await make("a", T0 + 30);
  await s.logBatch(a, {
    metrics: cols(pt("loss", 0.9, 0), pt("loss", 0.1, 1), pt("acc", 0.5, 1), pt("train/loss", 0.2, 1)),
    params: [{ key: "lr", value: "0.01" }, { key: "optimizer", value: "adam" }],
    tags: [{ key: "team", value: "vision" }],
  });
  await s.updateRun(a, { status: "FINISHED", endTime: T0 + 100 });
  const b = await make("b", T0 + 20);
  await s.logBatch(b, {
    metrics: cols(pt("loss", 0.4, 0)),
    params: [{ key: "lr", value: "0.1" }, { key: "optimizer", value: "Adagrad" }],
    tags: [{ key: "team", value: "vision" }],
  });
  const c = await make("c", T0 + 20);
  await s.logBatch(c, {
    metrics: cols(pt("loss", 0.9, 0), pt("acc", 0.7, 0)),
    params: [{ key: "lr", value: "0.01" }, { key: "optimizer", value: "sgd" }],
    tags: [{ key: "team", value: "audio" }],
  });
  await s.updateRun(c, { status: "FINISHED", endTime: T0 + 200 });
  const d = await make("d", T0 + 10);
  await s.logBatch(d, { metrics: cols(pt("loss", Number.NaN, 0)), params: [{ key: "lr", value: "0.001" }] });
  await s.updateRun(d, { status: "FAILED" });
  const e = await make("e", T0 + 40);
  await s.logBatch(e, { tags: [{ key: "team", value: "vision" }] });
  const x = await make("x", T0 + 50, other);
  await s.logBatch(x, { metrics: cols(pt("loss", 0.05, 0)), tags: [{ key: "team", value: "vision" }] });
  return { exp, other, byName };
}

export function searchContract(ctx: ContractContext): void {
  describe("searchRuns", () => {
    let fx: Fixture;
    beforeEach(async () => {
      fx = await buildFixture(ctx);
    });

    const names = (runs: readonly Run[]) => runs.map((r) => r.info.runName);
    const find = async (query: Partial<SearchRunsQuery>) =>
      names((await ctx.store.searchRuns({ experimentIds: [fx.exp], ...query })).runs);

    it("returns only runs of the given experiments, in start_time DESC then run_id ASC order", async () => {
      const bc = [fx.byName.b!, fx.byName.c!].sort();
      const tie = bc.map((id) => (id === fx.byName.b ? "b" : "c"));
      expect(await find({})).toEqual(["e", "a", ...tie, "d"]);
      const both = await ctx.store.searchRuns({ experimentIds: [fx.exp, fx.other] });
      expect(names(both.runs)).toEqual(["x", "e", "a", ...tie, "d"]);
      expect(names((await ctx.store.searchRuns({ experimentIds: [fx.other] })).runs)).toEqual(["x"]);
      expect(both.nextPageToken).toBeUndefined();
    });

    it("returns whole runs whose metrics hold the latest values", async () => {
      const page = await ctx.store.searchRuns({ experimentIds: [fx.exp], filter: "attributes.run_name = 'a'" });
      expect(page.runs).toHaveLength(1);
      const run = page.runs[0]!;
      expect(run).toEqual(await ctx.store.getRun(fx.byName.a!));
      expect(run.data.metrics).toEqual({ loss: 0.1, acc: 0.5, "train/loss": 0.2 });
      expect(run.data.params).toEqual({ lr: "0.01", optimizer: "adam" });
      expect(run.data.tags.team).toBe("vision");
    });

    it.each([
      ["metrics.loss < 0.5 and params.lr = '0.01'", ["a"]],
      ["metrics.loss < 0.5 AND params.lr = \"0.01\"", ["a"]],
      ["metrics.loss <= 0.4", ["a", "b"]],
      ["metrics.loss >= 0.4", ["b", "c"]],
      ["metrics.loss > 0.1", ["b", "c"]],
      ["metrics.loss = 0.9", ["c"]],
      ["metrics.loss != 0.9 and params.lr != '0.001'", ["a", "b"]],
      ["metrics.`train/loss` < 1", ["a"]],
      ["metric.acc > 0.6", ["c"]],
      ["tags.team = 'vision'", ["e", "a", "b"]],
      ["tags.team != 'vision'", ["c"]],
      ["tags.`mlflow.runName` = 'd'", ["d"]],
      ["tags.mlflow.runName = 'd'", ["d"]],
      ["params.lr = '0.01'", ["a", "c"]],
      ["params.lr != '0.01'", ["b", "d"]],
      ["params.optimizer LIKE 'Ada%'", ["b"]],
      ["params.optimizer ILIKE 'ada%'", ["a", "b"]],
      ["params.optimizer LIKE '_gd'", ["c"]],
      ["attributes.status = 'FINISHED'", ["a", "c"]],
      ["attributes.status != 'RUNNING'", ["a", "c", "d"]],
      ["status = 'FAILED'", ["d"]],
      ["attributes.start_time >= " + String(T0 + 30), ["e", "a"]],
      ["attributes.run_name = 'e'", ["e"]],
      ["attributes.run_name LIKE '%'", ["e", "a", "b", "c", "d"]],
      ["metrics.loss < 0.5 OR tags.team = 'audio'", ["a", "b", "c"]],
      ["(metrics.loss < 0.2 OR metrics.loss > 0.8) AND tags.team = 'vision'", ["a"]],
      ["tags.team = 'vision' and (params.lr = '0.1' or metrics.acc > 0.4)", ["a", "b"]],
      ["params.lr = 'nothing'", []],
    ] as const)("filters with %s", async (filter, expected) => {
      const got = await find({ filter });
      // b and c share a start time, so compare as sets where the base order is not the point.
      expect([...got].sort()).toEqual([...expected].sort());
    });

    it("filters by run id with IN", async () => {
      const filter = `attributes.run_id IN ('${fx.byName.a}', '${fx.byName.d}')`;
      expect(await find({ filter })).toEqual(["a", "d"]);
    });

    it("never matches a run that lacks the filtered key", async () => {
      expect(await find({ filter: "metrics.acc != 0.5" })).toEqual(["c"]);
      expect(await find({ filter: "params.optimizer != 'adam'" })).not.toContain("d");
      expect(await find({ filter: "tags.team != 'audio'" })).not.toContain("d");
    });

    it("orders by a metric ascending or descending with missing and NaN values last", async () => {
      // d's loss is NaN and e has none: both go last (their order among themselves is not specified here).
      const asc = await find({ orderBy: ["metrics.loss ASC"] });
      expect(asc.slice(0, 3)).toEqual(["a", "b", "c"]);
      expect([...asc.slice(3)].sort()).toEqual(["d", "e"]);
      const desc = await find({ orderBy: ["metrics.loss DESC"] });
      expect(desc.slice(0, 3)).toEqual(["c", "b", "a"]);
      expect([...desc.slice(3)].sort()).toEqual(["d", "e"]);
      // Runs without acc keep the base order (start_time DESC) after the others.
      expect(await find({ orderBy: ["metrics.acc DESC"] })).toEqual(["c", "a", "e", "b", "d"]);
      expect(await find({ orderBy: ["metrics.acc ASC"] })).toEqual(["a", "c", "e", "b", "d"]);
    });

    it("breaks order-by ties with the base order", async () => {
      const bc = [fx.byName.b!, fx.byName.c!].sort().map((id) => (id === fx.byName.b ? "b" : "c"));
      expect(await find({ orderBy: ["params.lr ASC"] })).toEqual(["d", "a", "c", "b", "e"]);
      expect(await find({ orderBy: ["attributes.start_time ASC"] })).toEqual(["d", ...bc, "a", "e"]);
      expect(await find({ orderBy: ["tags.team ASC", "attributes.start_time DESC"] })).toEqual(["c", "e", "a", "b", "d"]);
    });

    it("separates active and deleted runs by runViewType", async () => {
      await ctx.store.deleteRun(fx.byName.b!);
      expect(await find({})).not.toContain("b");
      expect(await find({ runViewType: "ACTIVE_ONLY" })).not.toContain("b");
      expect(await find({ runViewType: "DELETED_ONLY" })).toEqual(["b"]);
      expect([...(await find({ runViewType: "ALL" }))].sort()).toEqual(["a", "b", "c", "d", "e"]);
      await ctx.store.restoreRun(fx.byName.b!);
      expect(await find({})).toContain("b");
    });

    it("rejects a malformed filter with INVALID_PARAMETER_VALUE", async () => {
      const bad = [
        "metrics.loss <",
        "metrics.loss < 1 and",
        "(metrics.loss < 1",
        "metrics.loss < 1)",
        "nonsense.loss < 1",
        "metrics.loss ~ 1",
        "metrics.loss < 'abc'",
        "params.lr = 0.01",
        "params.lr = 'unterminated",
        "metrics.loss < 1; drop table runs",
      ];
      for (const filter of bad) {
        await expectTrackerError(ctx.store.searchRuns({ experimentIds: [fx.exp], filter }), "INVALID_PARAMETER_VALUE");
      }
    });

    it("rejects a malformed order-by, view type or maxResults with INVALID_PARAMETER_VALUE", async () => {
      const q = { experimentIds: [fx.exp] };
      for (const maxResults of [0, -1, 50001, 2.5, Number.NaN]) {
        await expectTrackerError(ctx.store.searchRuns({ ...q, maxResults }), "INVALID_PARAMETER_VALUE");
      }
      await expectTrackerError(ctx.store.searchRuns({ ...q, runViewType: "SOME" as never }), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(ctx.store.searchRuns({ ...q, orderBy: ["metrics.loss SIDEWAYS"] }), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(ctx.store.searchRuns({ ...q, orderBy: ["nonsense.loss ASC"] }), "INVALID_PARAMETER_VALUE");
      expect((await ctx.store.searchRuns({ ...q, maxResults: 50000 })).runs).toHaveLength(5);
    });

    it("rejects a garbage page token with INVALID_PARAMETER_VALUE", async () => {
      for (const pageToken of ["garbage", "!!!", "eyJvZmZzZXQiOiJ4In0="]) {
        await expectTrackerError(ctx.store.searchRuns({ experimentIds: [fx.exp], pageToken }), "INVALID_PARAMETER_VALUE");
      }
    });
  });

  describe("searchRuns paging", () => {
    it("pages through 25 runs 7 at a time, returning each once in order", { timeout: 60_000 }, async () => {
      const exp = await ctx.store.createExperiment({ name: "paging" });
      for (let i = 0; i < 25; i++) {
        // Five runs share each start time, so the run_id tie-break is exercised across pages.
        const run = await ctx.store.createRun({ experimentId: exp, startTime: T0 + Math.floor(i / 5) });
        await ctx.store.logBatch(run.info.runId, { metrics: cols(pt("loss", (i * 7) % 25, 0)) });
      }
      for (const orderBy of [undefined, ["metrics.loss ASC"]]) {
        const q = orderBy ? { experimentIds: [exp], orderBy } : { experimentIds: [exp] };
        const full = (await ctx.store.searchRuns(q)).runs.map((r) => r.info.runId);
        expect(full).toHaveLength(25);
        const sizes: number[] = [];
        const paged: string[] = [];
        let pageToken: string | undefined;
        do {
          const page = await ctx.store.searchRuns(pageToken === undefined ? { ...q, maxResults: 7 } : { ...q, maxResults: 7, pageToken });
          sizes.push(page.runs.length);
          paged.push(...page.runs.map((r) => r.info.runId));
          if (page.nextPageToken !== undefined) expect(typeof page.nextPageToken).toBe("string");
          pageToken = page.nextPageToken;
        } while (pageToken !== undefined && sizes.length < 10);
        expect(sizes).toEqual([7, 7, 7, 4]);
        expect(paged).toEqual(full);
        const all = await searchAllRuns(ctx.store, { ...q, maxResults: 7 });
        expect(all.map((r) => r.info.runId)).toEqual(full);
      }
      const filtered = await searchAllRuns(ctx.store, { experimentIds: [exp], filter: "metrics.loss < 10", maxResults: 3 });
      expect(filtered).toHaveLength(10);
    });
  });

  describe("searchExperiments", () => {
    const expNames = async (query: SearchExperimentsQuery) =>
      (await ctx.store.searchExperiments(query)).experiments.map((e) => e.name);

    it("filters by name with LIKE and ILIKE and by tag", async () => {
      await ctx.store.createExperiment({ name: "mnist", tags: { team: "vision" } });
      await ctx.store.createExperiment({ name: "mnist-small", tags: { team: "audio" } });
      await ctx.store.createExperiment({ name: "Mnist-upper", tags: { team: "vision" } });
      await ctx.store.createExperiment({ name: "cifar", tags: { team: "vision" } });
      const sorted = async (filter: string) => [...(await expNames({ filter }))].sort();
      expect(await sorted("name LIKE 'mni%'")).toEqual(["mnist", "mnist-small"]);
      expect(await sorted("name ILIKE 'mni%'")).toEqual(["Mnist-upper", "mnist", "mnist-small"]);
      expect(await sorted("name = 'cifar'")).toEqual(["cifar"]);
      expect(await sorted("tags.team = 'vision'")).toEqual(["Mnist-upper", "cifar", "mnist"]);
      expect(await sorted("name LIKE 'mni%' AND tags.team = 'vision'")).toEqual(["mnist"]);
      expect(await sorted("name = 'nothing'")).toEqual([]);
    });

    it("orders by creation time descending by default, and by name when asked", async () => {
      for (const n of ["ord-b", "ord-c", "ord-a"]) await ctx.store.createExperiment({ name: n });
      const page = await ctx.store.searchExperiments({ filter: "name LIKE 'ord-%'" });
      const times = page.experiments.map((e) => e.creationTime);
      expect(times).toEqual([...times].sort((x, y) => y - x));
      expect(await expNames({ filter: "name LIKE 'ord-%'", orderBy: ["name ASC"] })).toEqual(["ord-a", "ord-b", "ord-c"]);
      expect(await expNames({ filter: "name LIKE 'ord-%'", orderBy: ["name DESC"] })).toEqual(["ord-c", "ord-b", "ord-a"]);
    });

    it("pages through experiments, returning each once", async () => {
      for (let i = 0; i < 12; i++) await ctx.store.createExperiment({ name: `page-${String(i).padStart(2, "0")}` });
      const q = { filter: "name LIKE 'page-%'", orderBy: ["name ASC"], maxResults: 5 };
      const seen: string[] = [];
      const sizes: number[] = [];
      let pageToken: string | undefined;
      do {
        const page = await ctx.store.searchExperiments(pageToken === undefined ? q : { ...q, pageToken });
        sizes.push(page.experiments.length);
        seen.push(...page.experiments.map((e) => e.name));
        pageToken = page.nextPageToken;
      } while (pageToken !== undefined && sizes.length < 10);
      expect(sizes).toEqual([5, 5, 2]);
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, "0")}`));
    });

    it("rejects bad filters, view types, maxResults and page tokens with INVALID_PARAMETER_VALUE", async () => {
      for (const filter of ["name LIKE", "name = mnist", "(name = 'a'", "bogus.x = 'y'"]) {
        await expectTrackerError(ctx.store.searchExperiments({ filter }), "INVALID_PARAMETER_VALUE");
      }
      for (const maxResults of [0, 50001, -3, 1.5]) {
        await expectTrackerError(ctx.store.searchExperiments({ maxResults }), "INVALID_PARAMETER_VALUE");
      }
      await expectTrackerError(ctx.store.searchExperiments({ viewType: "NONE" as never }), "INVALID_PARAMETER_VALUE");
      await expectTrackerError(ctx.store.searchExperiments({ pageToken: "garbage" }), "INVALID_PARAMETER_VALUE");
    });
  });
}
