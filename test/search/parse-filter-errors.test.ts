import { describe, expect, it } from "vitest";
import { parseExperimentFilter, parseRunFilter } from "../../src/search/index.js";
import { catchTrackerError } from "./fixtures.js";

// [filter, position of the offending token, text the message must quote]
const MALFORMED: readonly [string, number, string][] = [
  ["metrics.loss <", 14, "end of the input"],
  ["metrics.loss 0.5", 13, '"0.5"'],
  ["metrics.loss < '0.5'", 15, `"'0.5'"`],
  ["params.lr = 0.1", 12, '"0.1"'],
  ["params.lr = lr", 12, '"lr"'],
  ["foo.bar = 'x'", 0, '"foo"'],
  ["loss < 1", 0, '"loss"'],
  ["Start_Time > 1", 0, '"Start_Time"'],
  ["experiment_id = '0'", 0, '"experiment_id"'],
  ["lifecycle_stage = 'active'", 0, '"lifecycle_stage"'],
  ["metrics.loss LIKE '1%'", 13, '"LIKE"'],
  ["metrics.loss IN ('1')", 13, '"IN"'],
  ["metrics.loss IS NULL", 13, '"IS NULL"'],
  ["params.lr < '1'", 10, '"<"'],
  ["status IN ('FINISHED')", 7, '"IN"'],
  ["status IS NULL", 7, '"IS NULL"'],
  ["start_time LIKE '1%'", 11, '"LIKE"'],
  ["start_time = '1000'", 13, `"'1000'"`],
  ["run_id = 5", 9, '"5"'],
  ["tags.x = NULL", 9, '"NULL"'],
  ["tags.team = 'vision", 12, `"'vision"`],
  ["tags.`team = 'x'", 5, "`team"],
  ['params."lr = \'x\'', 7, "lr = "],
  ["(metrics.loss < 1", 17, "end of the input"],
  ["metrics.loss < 1)", 16, '")"'],
  ["metrics.loss < 1 garbage", 17, '"garbage"'],
  ["metrics.loss < 1 metrics.acc > 0", 17, '"metrics.acc"'],
  ["tags.x = 'a' = 'b'", 13, '"="'],
  ["metrics.loss < 1 AND", 20, "end of the input"],
  ["metrics.loss < 1 OR", 19, "end of the input"],
  ["OR metrics.loss < 1", 0, '"OR"'],
  ["AND", 0, '"AND"'],
  ["metrics.loss < 1 AND AND metrics.acc > 0", 21, '"AND"'],
  ["metrics.loss < 1 OR OR metrics.acc > 0", 20, '"OR"'],
  ["()", 1, '")"'],
  ["metrics.loss < 1 AND ( )", 23, '")"'],
  ["metrics.loss < 1 AND (tags.a = 'b' OR)", 37, '")"'],
  ["NOT metrics.loss < 1", 0, '"NOT"'],
  ["run_id IN ()", 10, "empty list"],
  ["run_id IN ('a',)", 15, '")"'],
  ["run_id IN ('a' 'b')", 15, `"'b'"`],
  ["run_id IN 'a'", 10, `"'a'"`],
  ["run_id IN (1, 2)", 11, '"1"'],
  ["run_id IN ('a'", 14, "end of the input"],
  ["run_id NOT 'a'", 11, `"'a'"`],
  ["tags.x IS 'a'", 10, `"'a'"`],
  ["tags.x IS NOT", 13, "end of the input"],
  ["metrics.train/loss < 1", 13, '"/"'],
  ["metrics. < 1", 8, '" "'],
  ["metrics.", 8, "end of the input"],
  ["tags.`` = 'x'", 0, '"tags.``"'],
  ["metrics.loss < 1e", 15, '"1e"'],
  ["metrics.loss < 1.2.3", 15, '"1.2.3"'],
  ["metrics.loss < 12abc", 15, '"12abc"'],
  ["metrics.loss == 1", 13, '"=="'],
  ["metrics.loss <> 1", 13, '"<>"'],
  ["metrics.loss ! 1", 13, '"!"'],
  ["metrics.loss < NaN", 15, '"NaN"'],
  ["metrics.loss < +1", 15, '"+"'],
  ["metrics.loss < -", 15, '"-"'],
  ["metrics.loss < 1; metrics.acc > 1", 16, '";"'],
  ["'run_id' = 'a'", 0, `"'run_id'"`],
  ["datasets.foo = 'x'", 0, '"foo"'],
  ["datasets.name < 'x'", 14, '"<"'],
  ["metrics.loss < 1 AND tags.t LIKE", 32, "end of the input"],
];

describe("search/parse-filter (errors)", () => {
  it("has at least 30 distinct malformed filters", () => {
    expect(new Set(MALFORMED.map(([f]) => f)).size).toBe(MALFORMED.length);
    expect(MALFORMED.length).toBeGreaterThanOrEqual(30);
  });

  it.each(MALFORMED)("rejects %s at position %i", (filter, position, found) => {
    const err = catchTrackerError(() => parseRunFilter(filter));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toMatch(/position \d+/);
    expect(err.message).toContain(`at position ${position}:`);
    expect(err.message).toContain(found);
    expect(err.message).toMatch(/expected|empty list/);
  });

  it("says which comparators a field accepts", () => {
    const err = catchTrackerError(() => parseRunFilter("params.lr > '1'"));
    expect(err.message).toContain("=, !=, LIKE, ILIKE, IS NULL or IS NOT NULL");
  });

  it("lists the valid attributes and hints at prefixes for an unknown bare identifier", () => {
    const err = catchTrackerError(() => parseRunFilter("loss < 1"));
    expect(err.message).toContain("run_id, run_name, status, user_id, artifact_uri, start_time or end_time");
    expect(err.message).toContain("metrics.loss");
  });

  it("points at the opening parenthesis that was never closed", () => {
    const err = catchTrackerError(() => parseRunFilter("tags.a = 'x' AND (tags.b = 'y'"));
    expect(err.message).toContain('close the "(" at position 17');
  });

  it("rejects a filter that is not a string", () => {
    const err = catchTrackerError(() => parseRunFilter(42 as unknown as string));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
  });

  it.each([
    ["metrics.loss < 1", 0, '"metrics."'],
    ["params.lr = 'x'", 0, '"params."'],
    ["experiment_id = '1'", 0, '"experiment_id"'],
    ["name IN ('a')", 5, '"IN"'],
    ["creation_time = 'x'", 16, `"'x'"`],
  ])("rejects the experiment filter %s at position %i", (filter, position, found) => {
    const err = catchTrackerError(() => parseExperimentFilter(filter));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toContain(`at position ${position}:`);
    expect(err.message).toContain(found);
  });
});
