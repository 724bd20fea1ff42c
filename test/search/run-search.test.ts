import { describe, expect, it } from "vitest";
import type { Run, SearchRunsQuery } from "../../src/entities.js";
import { searchRunsIn } from "../../src/search/index.js";
import { catchTrackerError, makeRun, names, RUNS } from "./fixtures.js";

function allPages(runs: readonly Run[], query: SearchRunsQuery): Run[][] {
  const pages: Run[][] = [];
  let pageToken: string | undefined;
  do {
    const page = searchRunsIn(runs, pageToken === undefined ? query : { ...query, pageToken });
    pages.push(page.runs);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return pages;
}

const MANY: readonly Run[] = Array.from({ length: 23 }, (_, i) =>
  makeRun(i + 1, `run${i + 1}`, {
    start: 1000 * ((i * 7) % 5),
    metrics: i % 4 === 0 ? {} : { loss: (i * 13) % 6 },
    stage: i % 6 === 5 ? "deleted" : "active",
  }),
);

describe("search/run-search", () => {
  it("keeps only runs of the requested experiments", () => {
    expect(names(searchRunsIn(RUNS, { experimentIds: ["2"] }).runs)).toEqual(["Gamma run"]);
    expect(names(searchRunsIn(RUNS, { experimentIds: ["1"] }).runs)).toEqual(["delta", "beta", "alpha"]);
    expect(searchRunsIn(RUNS, { experimentIds: [] }).runs).toEqual([]);
  });

  it("returns active runs by default and honours each view type", () => {
    const ids = ["1", "2"];
    expect(names(searchRunsIn(RUNS, { experimentIds: ids }).runs)).not.toContain("omega");
    expect(names(searchRunsIn(RUNS, { experimentIds: ids, runViewType: "ACTIVE_ONLY" }).runs)).toHaveLength(4);
    expect(names(searchRunsIn(RUNS, { experimentIds: ids, runViewType: "DELETED_ONLY" }).runs)).toEqual(["omega"]);
    expect(names(searchRunsIn(RUNS, { experimentIds: ids, runViewType: "ALL" }).runs)).toEqual(["omega", "delta", "beta", "Gamma run", "alpha"]);
  });

  it("applies the filter and the orderBy", () => {
    const page = searchRunsIn(RUNS, {
      experimentIds: ["1", "2"],
      filter: "metrics.loss >= 0.5 OR tags.team IS NULL",
      orderBy: ["metrics.loss DESC"],
    });
    // alpha and Gamma run tie on loss; the base order puts the later start (Gamma run) first.
    expect(names(page.runs)).toEqual(["beta", "Gamma run", "alpha", "delta"]);
    expect(page.nextPageToken).toBeUndefined();
  });

  it("returns the run objects it was given", () => {
    const page = searchRunsIn(RUNS, { experimentIds: ["2"] });
    expect(page.runs[0]).toBe(RUNS[2]);
  });

  it("accepts any iterable of runs", () => {
    const fromSet = searchRunsIn(new Set(RUNS), { experimentIds: ["1"] });
    const fromMap = searchRunsIn(new Map(RUNS.map((r) => [r.info.runId, r])).values(), { experimentIds: ["1"] });
    expect(names(fromSet.runs)).toEqual(names(fromMap.runs));
  });

  it.each([1, 2, 3, 5, 7, 18, 100])("walks all pages of size %i, yielding every match once, in order", (k) => {
    const query: SearchRunsQuery = { experimentIds: ["1"], filter: "metrics.loss != 3 OR run_name LIKE 'run1%'", orderBy: ["metrics.loss"], runViewType: "ALL" };
    const whole = searchRunsIn(MANY, { ...query, maxResults: 50000 }).runs;
    const pages = allPages(MANY, { ...query, maxResults: k });
    expect(pages.slice(0, -1).every((p) => p.length === k)).toBe(true);
    expect(pages.at(-1)!.length).toBeGreaterThan(0);
    expect(pages.flat()).toEqual(whole);
    expect(new Set(pages.flat().map((r) => r.info.runId)).size).toBe(whole.length);
  });

  it("gives no token when the last page is exactly full", () => {
    const page = searchRunsIn(RUNS, { experimentIds: ["1"], maxResults: 3 });
    expect(page.runs).toHaveLength(3);
    expect(page.nextPageToken).toBeUndefined();
    expect("nextPageToken" in page).toBe(false);
  });

  it("lets the page size change between pages", () => {
    const query: SearchRunsQuery = { experimentIds: ["1"], runViewType: "ALL" };
    const first = searchRunsIn(MANY, { ...query, maxResults: 4 });
    const second = searchRunsIn(MANY, { ...query, maxResults: 10, pageToken: first.nextPageToken! });
    expect([...first.runs, ...second.runs]).toEqual(searchRunsIn(MANY, { ...query, maxResults: 14 }).runs);
  });

  it("treats an empty page token as the first page", () => {
    expect(searchRunsIn(RUNS, { experimentIds: ["1"], pageToken: "" }).runs).toHaveLength(3);
  });

  it("rejects a page token reused with a different filter, orderBy, experiment set or view type", () => {
    const query: SearchRunsQuery = { experimentIds: ["1"], filter: "metrics.loss > 0", maxResults: 2, runViewType: "ALL" };
    const token = searchRunsIn(MANY, query).nextPageToken!;
    expect(token).toBeDefined();
    for (const changed of [
      { filter: "metrics.loss > 1" },
      { orderBy: ["metrics.loss"] },
      { experimentIds: ["1", "2"] },
      { runViewType: "ACTIVE_ONLY" as const },
    ]) {
      const err = catchTrackerError(() => searchRunsIn(MANY, { ...query, ...changed, pageToken: token }));
      expect(err.code).toBe("INVALID_PARAMETER_VALUE");
      expect(err.message).toContain("different search");
    }
  });

  it("rejects a malformed page token", () => {
    const err = catchTrackerError(() => searchRunsIn(RUNS, { experimentIds: ["1"], pageToken: "garbage!" }));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
  });

  it.each([0, -1, 1.5, 50001, Number.NaN, "10" as unknown as number])("rejects maxResults %s", (maxResults) => {
    const err = catchTrackerError(() => searchRunsIn(RUNS, { experimentIds: ["1"], maxResults }));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toContain("maxResults");
  });

  it("defaults maxResults to 1000 and accepts the 50000 limit", () => {
    const lots = Array.from({ length: 1001 }, (_, i) => makeRun(i + 1, `r${i}`));
    const page = searchRunsIn(lots, { experimentIds: ["1"] });
    expect(page.runs).toHaveLength(1000);
    expect(page.nextPageToken).toBeDefined();
    expect(searchRunsIn(lots, { experimentIds: ["1"], maxResults: 50000 }).runs).toHaveLength(1001);
  });

  it("validates the whole query even when there are no runs", () => {
    expect(catchTrackerError(() => searchRunsIn([], { experimentIds: ["1"], filter: "bogus = 1" })).code).toBe("INVALID_PARAMETER_VALUE");
    expect(catchTrackerError(() => searchRunsIn([], { experimentIds: ["1"], orderBy: ["bogus"] })).code).toBe("INVALID_PARAMETER_VALUE");
    expect(catchTrackerError(() => searchRunsIn([], { experimentIds: ["1"], runViewType: "SOME" as "ALL" })).code).toBe("INVALID_PARAMETER_VALUE");
    expect(catchTrackerError(() => searchRunsIn([], { experimentIds: "1" as unknown as string[] })).code).toBe("INVALID_PARAMETER_VALUE");
  });
});
