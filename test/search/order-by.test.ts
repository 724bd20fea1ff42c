import { describe, expect, it } from "vitest";
import type { Run } from "../../src/entities.js";
import { compileRunOrderBy, parseRunOrderBy } from "../../src/search/index.js";
import { catchTrackerError, makeRun, names } from "./fixtures.js";

function sorted(runs: readonly Run[], orderBy?: string[]): string[] {
  return names([...runs].sort(compileRunOrderBy(orderBy)));
}

const SORT_RUNS: readonly Run[] = [
  makeRun(1, "r1", { start: 100, metrics: { loss: 0.3 }, params: { lr: "0.1" }, tags: { team: "b" } }),
  makeRun(2, "r2", { start: 300, metrics: { loss: Number.NaN }, params: { lr: "10" }, tags: { team: "a" } }),
  makeRun(3, "r3", { start: 200, metrics: {}, params: { lr: "9" }, tags: { team: "b" } }),
  makeRun(4, "r4", { start: 300, metrics: { loss: -1 }, params: { lr: "0.01" } }),
  makeRun(5, "r5", { start: 200, metrics: { loss: 0.3 }, tags: { team: "a" }, end: null }),
];

describe("search/order-by", () => {
  it("orders by start_time DESC, then run_id ASC, by default", () => {
    expect(sorted(SORT_RUNS)).toEqual(["r2", "r4", "r3", "r5", "r1"]);
    expect(sorted(SORT_RUNS, [])).toEqual(["r2", "r4", "r3", "r5", "r1"]);
  });

  it("sorts metrics numerically with NaN, then missing, last in ascending order", () => {
    expect(sorted(SORT_RUNS, ["metrics.loss ASC"])).toEqual(["r4", "r5", "r1", "r2", "r3"]);
  });

  it("keeps NaN and missing values last in descending order too", () => {
    expect(sorted(SORT_RUNS, ["metrics.loss DESC"])).toEqual(["r5", "r1", "r4", "r2", "r3"]);
  });

  it("defaults to ascending and reads directions in any case", () => {
    expect(sorted(SORT_RUNS, ["metrics.loss"])).toEqual(sorted(SORT_RUNS, ["metrics.loss asc"]));
    expect(sorted(SORT_RUNS, ["metrics.loss desc"])).toEqual(sorted(SORT_RUNS, ["metrics.loss DESC"]));
  });

  it("sorts params as strings, not numbers", () => {
    expect(sorted(SORT_RUNS, ["params.lr"])).toEqual(["r4", "r1", "r2", "r3", "r5"]);
    expect(sorted(SORT_RUNS, ["params.lr DESC"])).toEqual(["r3", "r2", "r1", "r4", "r5"]);
  });

  it("applies several keys in order, then the base order", () => {
    expect(sorted(SORT_RUNS, ["tags.team ASC", "metrics.loss DESC"])).toEqual(["r5", "r2", "r1", "r3", "r4"]);
    expect(sorted(SORT_RUNS, ["tags.team DESC", "start_time ASC"])).toEqual(["r1", "r3", "r5", "r2", "r4"]);
  });

  it("breaks start_time ties by run_id even when start_time is a user key", () => {
    expect(sorted(SORT_RUNS, ["attributes.start_time ASC"])).toEqual(["r1", "r3", "r5", "r2", "r4"]);
    expect(sorted(SORT_RUNS, ["created DESC"])).toEqual(["r2", "r4", "r3", "r5", "r1"]);
  });

  it("treats a missing end_time as missing: last in both directions", () => {
    expect(sorted(SORT_RUNS, ["end_time DESC"]).at(-1)).toBe("r5");
    expect(sorted(SORT_RUNS, ["end_time ASC"]).at(-1)).toBe("r5");
  });

  it("accepts quoted keys and attribute aliases", () => {
    const runs = [
      makeRun(1, "b", { metrics: { "train/loss": 2 }, params: { "learning-rate": "x" } }),
      makeRun(2, "a", { metrics: { "train/loss": 1 }, params: { "learning-rate": "y" } }),
    ];
    expect(sorted(runs, ["metrics.`train/loss`"])).toEqual(["a", "b"]);
    expect(sorted(runs, ['params."learning-rate" DESC'])).toEqual(["a", "b"]);
    expect(sorted(runs, ["`Run name` DESC"])).toEqual(["b", "a"]);
    expect(sorted(runs, ["attributes.run_name"])).toEqual(["a", "b"]);
  });

  it("compares strings by code point, as Python does", () => {
    const runs = [makeRun(1, "astral", { tags: { t: "😀" } }), makeRun(2, "bmp", { tags: { t: "\uff5e" } })];
    expect(sorted(runs, ["tags.t"])).toEqual(["bmp", "astral"]);
  });

  it("returns plain keys from parseRunOrderBy", () => {
    expect(parseRunOrderBy(["metrics.`train/loss` DESC", "created", "tags.mlflow.user asc"])).toEqual([
      { field: { entity: "metric", key: "train/loss" }, ascending: false },
      { field: { entity: "attribute", key: "start_time" }, ascending: true },
      { field: { entity: "tag", key: "mlflow.user" }, ascending: true },
    ]);
  });

  it.each([
    [["metrics.x DOWN"], 0, 10],
    [["foo.x"], 0, 0],
    [["metrics.x ASC DESC"], 0, 14],
    [[""], 0, 0],
    [["datasets.name"], 0, 0],
    [["metrics.`x"], 0, 8],
    [["metrics."], 0, 8],
    [["loss"], 0, 0],
    [["metrics.x, params.y"], 0, 9],
    [["ASC"], 0, 0],
    [["metrics.loss", "params.lr sideways"], 1, 10],
    [["metrics.loss", "params.lr", "status; DROP"], 2, 6],
  ])("rejects orderBy %j naming entry %i and position %i", (orderBy, entry, position) => {
    const err = catchTrackerError(() => compileRunOrderBy(orderBy));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toMatch(/position \d+/);
    expect(err.message).toContain(`orderBy entry ${entry} `);
    expect(err.message).toContain(`at position ${position}:`);
  });

  it("rejects an orderBy that is not an array of strings", () => {
    expect(catchTrackerError(() => compileRunOrderBy("metrics.x" as unknown as string[])).code).toBe("INVALID_PARAMETER_VALUE");
    expect(catchTrackerError(() => compileRunOrderBy([3] as unknown as string[])).message).toContain("entry 0");
  });
});
