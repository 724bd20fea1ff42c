import { describe, expect, it } from "vitest";
import { likeToRegExp } from "../../src/search/evaluate.js";
import { compileRunFilter } from "../../src/search/index.js";
import { names, RUNS, runIdOf } from "./fixtures.js";

function matching(filter: string): string[] {
  return names(RUNS.filter(compileRunFilter(filter)));
}

const ID1 = runIdOf(1);
const ID3 = runIdOf(3);

describe("search/evaluate", () => {
  describe("metrics", () => {
    it.each([
      ["metrics.loss = 0.5", ["alpha", "Gamma run"]],
      ["metrics.loss != 0.5", ["beta", "omega"]],
      ["metrics.loss < 0.5", ["omega"]],
      ["metrics.loss <= 0.5", ["alpha", "Gamma run", "omega"]],
      ["metrics.loss > 0.5", ["beta"]],
      ["metrics.loss >= 0.5", ["alpha", "beta", "Gamma run"]],
      ["metric.acc > 0.5", ["alpha"]],
      ["METRICS.acc > 0.5", ["alpha"]],
      ["metrics.`train/loss` < 0.3", ["alpha"]],
      ['metrics."train/loss" = 0.25', ["alpha"]],
      ["metrics.neg = -2", ["alpha"]],
      ["metrics.neg > -2.5", ["alpha"]],
      ["metrics.tiny = 1e-3", ["alpha"]],
      ["metrics.tiny = 1E-3", ["alpha"]],
      ["metrics.tiny = .001", ["alpha"]],
      ["metrics.loss = 5e-1", ["alpha", "Gamma run"]],
      ["metrics.loss < 1.", ["alpha", "Gamma run", "omega"]],
      ["metrics.loss>=1.5", ["beta"]],
    ])("evaluates %s", (filter, expected) => {
      expect(matching(filter)).toEqual(expected);
    });

    it("treats a NaN metric by IEEE rules: only != matches it", () => {
      expect(matching("metrics.acc != 0.9")).toEqual(["beta"]);
      expect(matching("metrics.acc < 100")).toEqual(["alpha"]);
      expect(matching("metrics.acc >= -100")).toEqual(["alpha"]);
      expect(matching("metrics.acc = 0.9")).toEqual(["alpha"]);
    });

    it("never matches a run that lacks the metric, not even with !=", () => {
      expect(matching("metrics.loss != 12345")).not.toContain("delta");
      expect(matching("metrics.nothing != 1")).toEqual([]);
    });
  });

  describe("params and tags", () => {
    it.each([
      ["params.lr = '0.1'", ["alpha", "Gamma run"]],
      ["param.lr != '0.1'", ["beta"]],
      ["parameter.optimizer LIKE 'a%'", ["alpha"]],
      ["parameters.optimizer ILIKE 'S_D'", ["beta"]],
      ['params."learning-rate" = "0.1"', ["alpha"]],
      ["params.path = 'C:\\data\\x'", ["alpha"]],
      ["params.lr IS NULL", ["delta", "omega"]],
      ["params.lr IS NOT NULL", ["alpha", "beta", "Gamma run"]],
      ["tags.team = 'vision'", ["alpha", "omega"]],
      ["tag.team ILIKE 'VISION'", ["alpha", "Gamma run", "omega"]],
      ["tags.team LIKE 'V%'", ["Gamma run"]],
      ["tags.team != 'vision'", ["beta", "Gamma run"]],
      ["tags.missing IS NULL", ["alpha", "beta", "Gamma run", "delta", "omega"]],
      ["tags.missing IS NOT NULL", []],
      ["tags.constructor IS NULL", ["alpha", "beta", "Gamma run", "delta", "omega"]],
    ])("evaluates %s", (filter, expected) => {
      expect(matching(filter)).toEqual(expected);
    });

    it("matches a tag key that contains dots", () => {
      expect(matching("tags.mlflow.user = 'bob'")).toEqual(["beta"]);
      expect(matching("tags.`mlflow.user` = 'alice'")).toEqual(["alpha"]);
    });

    it("matches a backtick-quoted key that contains a space", () => {
      expect(matching("tags.`a b` = 'space'")).toEqual(["alpha"]);
    });

    it("reads doubled and backslash-escaped quotes inside string values", () => {
      expect(matching("tags.quote = 'it''s'")).toEqual(["alpha"]);
      expect(matching("tags.quote = 'it\\'s'")).toEqual(["alpha"]);
      expect(matching(`tags.quote = "it's"`)).toEqual(["alpha"]);
    });
  });

  describe("LIKE and ILIKE", () => {
    it.each([
      ["tags.note LIKE 'v1.0 (beta)+'", ["alpha"]],
      ["tags.note LIKE 'v1.%'", ["alpha"]],
      ["tags.note LIKE 'v1_0%'", ["alpha"]],
      ["tags.note LIKE 'v1_ beta'", ["beta"]],
      ["tags.note LIKE '%beta'", ["beta"]],
      ["tags.note LIKE '%beta%'", ["alpha", "beta"]],
      ["tags.note LIKE 'beta'", []],
      ["tags.note LIKE 'V%'", []],
      ["tags.note ILIKE 'V%'", ["alpha", "beta"]],
      ["tags.note LIKE '%(beta)+'", ["alpha"]],
      ["tags.note LIKE '%'", ["alpha", "beta"]],
    ])("evaluates %s", (filter, expected) => {
      expect(matching(filter)).toEqual(expected);
    });

    it("matches the whole value, with regex syntax taken literally", () => {
      expect(likeToRegExp("a.b", false).test("axb")).toBe(false);
      expect(likeToRegExp("a.b", false).test("a.b")).toBe(true);
      expect(likeToRegExp("[x]{2}|y^$\\d/", false).test("[x]{2}|y^$\\d/")).toBe(true);
      expect(likeToRegExp("abc", false).test("xabcx")).toBe(false);
    });

    it("lets a backslash escape % and _ so they match literally", () => {
      expect(likeToRegExp("100\\%", false).test("100%")).toBe(true);
      expect(likeToRegExp("100\\%", false).test("1000")).toBe(false);
      expect(likeToRegExp("a\\_b", false).test("axb")).toBe(false);
      expect(likeToRegExp("a\\_b", false).test("a_b")).toBe(true);
    });

    it("matches one code point with _ and crosses newlines with %", () => {
      expect(likeToRegExp("x_y", false).test("x😀y")).toBe(true);
      expect(likeToRegExp("a%b", false).test("a\nline\nb")).toBe(true);
    });

    it("folds case with ILIKE, beyond ASCII", () => {
      expect(likeToRegExp("ÉTÉ%", true).test("été 2024")).toBe(true);
      expect(likeToRegExp("ÉTÉ%", false).test("été 2024")).toBe(false);
    });
  });

  describe("attributes", () => {
    it.each([
      [`run_id = '${ID1}'`, ["alpha"]],
      [`attributes.run_id IN ('${ID1}', '${ID3}')`, ["alpha", "Gamma run"]],
      [`run_id in ("${ID1}")`, ["alpha"]],
      [`run_id NOT IN ('${ID1}')`, ["beta", "Gamma run", "delta", "omega"]],
      [`run_id LIKE '%${ID3.slice(-4)}'`, ["Gamma run"]],
      ["run_name = 'alpha'", ["alpha"]],
      ["`Run name` = 'Gamma run'", ["Gamma run"]],
      ["attributes.`run name` LIKE '%a'", ["alpha", "beta", "delta", "omega"]],
      ['"Run Name" ILIKE \'gamma%\'', ["Gamma run"]],
      ["run.status = 'RUNNING'", ["beta"]],
      ["attr.user_id != 'alice'", ["beta", "Gamma run", "omega"]],
      ["artifact_uri LIKE 'file:///mlruns/2/%'", ["Gamma run"]],
      ["start_time > 2000", ["beta", "delta", "omega"]],
      ["created >= 3000", ["beta", "delta", "omega"]],
      ["Created < 2000", ["alpha"]],
      ["attribute.start_time = 2000", ["Gamma run"]],
      ["end_time < 2500", ["alpha"]],
      ["end_time >= 0", ["alpha", "Gamma run", "delta", "omega"]],
      ["end_time != 0", ["alpha", "Gamma run", "delta", "omega"]],
    ])("evaluates %s", (filter, expected) => {
      expect(matching(filter)).toEqual(expected);
    });
  });

  describe("datasets", () => {
    it.each([
      "datasets.name = 'train'",
      "dataset.digest != 'abc'",
      "datasets.context IN ('training')",
      "datasets.name NOT IN ('x')",
      "datasets.name ILIKE '%'",
    ])("parses %s but matches no run, since runs carry no datasets", (filter) => {
      expect(matching(filter)).toEqual([]);
    });
  });

  describe("AND, OR and parentheses", () => {
    const A = "tags.team = 'nlp'"; // beta
    const B = "metrics.loss = 0.5"; // alpha, Gamma run
    const C = "status = 'FAILED'"; // Gamma run

    it("binds AND tighter than OR", () => {
      expect(matching(`${A} OR ${B} AND ${C}`)).toEqual(["beta", "Gamma run"]);
      expect(matching(`${B} AND ${C} OR ${A}`)).toEqual(["beta", "Gamma run"]);
      expect(matching(`${A} OR (${B} AND ${C})`)).toEqual(["beta", "Gamma run"]);
    });

    it("lets parentheses override precedence", () => {
      expect(matching(`(${A} OR ${B}) AND ${C}`)).toEqual(["Gamma run"]);
      expect(matching(`${C} AND (${A} OR ${B})`)).toEqual(["Gamma run"]);
    });

    it("handles deep and redundant nesting", () => {
      expect(matching(`((((${A}))))`)).toEqual(["beta"]);
      expect(matching(`((${A}) OR ((${B}) AND (${C})))`)).toEqual(["beta", "Gamma run"]);
      expect(matching(`(${A} OR (${B} AND (${C} OR ${A}))) AND metrics.loss > 1`)).toEqual(["beta"]);
    });

    it("reads keywords in any letter case", () => {
      expect(matching("tags.team like 'v%' and metrics.loss < 1 Or tags.team = 'nlp'")).toEqual(["alpha", "beta", "omega"]);
      expect(matching(`run_id not in ('${ID1}') AND tags.team is not null`)).toEqual(["beta", "Gamma run", "omega"]);
    });

    it("matches everything for an empty or blank filter", () => {
      expect(matching("")).toHaveLength(RUNS.length);
      expect(matching(" \n\t ")).toHaveLength(RUNS.length);
      expect(RUNS.filter(compileRunFilter(undefined))).toHaveLength(RUNS.length);
    });
  });
});
