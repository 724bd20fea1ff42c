import { describe, expect, it } from "vitest";
import { parseRunFilter, type FilterExpr } from "../../src/search/index.js";

const num = (entity: string, key: string, op: string, value: number, position = 0) =>
  ({ kind: "number", field: { entity, key }, op, value, position }) as FilterExpr;
const str = (entity: string, key: string, op: string, value: string, position = 0) =>
  ({ kind: "string", field: { entity, key }, op, value, position }) as FilterExpr;

describe("search/parse-filter", () => {
  describe("identifiers", () => {
    it.each([
      ["metric", "metric"],
      ["metrics", "metric"],
      ["param", "param"],
      ["params", "param"],
      ["parameter", "param"],
      ["parameters", "param"],
      ["tag", "tag"],
      ["tags", "tag"],
      ["Tags", "tag"],
      ["TAGS", "tag"],
    ])("reads the type prefix %s as %s", (prefix, entity) => {
      const value = entity === "metric" ? "1" : "'1'";
      const ast = parseRunFilter(`${prefix}.k = ${value}`);
      expect(ast).toMatchObject({ field: { entity, key: "k" } });
    });

    it.each(["attribute", "attributes", "attr", "run", "ATTRIBUTES", "`attributes`"])(
      "reads the type prefix %s as attribute",
      (prefix) => {
        expect(parseRunFilter(`${prefix}.status = 'FINISHED'`)).toEqual(str("attribute", "status", "=", "FINISHED"));
      },
    );

    it.each(["dataset", "datasets"])("reads the type prefix %s as dataset", (prefix) => {
      expect(parseRunFilter(`${prefix}.digest = 'abc'`)).toEqual(str("dataset", "digest", "=", "abc"));
    });

    it("reads a bare identifier as an attribute", () => {
      expect(parseRunFilter("user_id = 'alice'")).toEqual(str("attribute", "user_id", "=", "alice"));
    });

    it.each([
      ["created > 5", "start_time"],
      ["Created > 5", "start_time"],
      ["attributes.created > 5", "start_time"],
    ])("resolves the time alias in %s to %s", (filter, key) => {
      expect(parseRunFilter(filter)).toEqual(num("attribute", key, ">", 5));
    });

    it.each(["`run name`", "`Run name`", "`Run Name`", '"Run name"', "attributes.`run name`", 'attr."Run Name"'])(
      "resolves the run-name alias %s to run_name",
      (id) => {
        expect(parseRunFilter(`${id} = 'x'`)).toEqual(str("attribute", "run_name", "=", "x"));
      },
    );

    it("splits an identifier at its first dot only", () => {
      expect(parseRunFilter("tags.mlflow.source.name = 'x'")).toEqual(str("tag", "mlflow.source.name", "=", "x"));
    });

    it.each([
      ["metrics.`train/loss` < 1", "train/loss"],
      ['metrics."train/loss" < 1', "train/loss"],
      ["metrics.`a b:c-d.e` < 1", "a b:c-d.e"],
      ["metrics.`a``b` < 1", "a`b"],
      ['metrics."a""b" < 1', 'a"b'],
      ["metrics.精度 < 1", "精度"],
      ["metrics.`精度/é` < 1", "精度/é"],
      ["metrics.2nd < 1", "2nd"],
    ])("unquotes the key in %s", (filter, key) => {
      expect(parseRunFilter(filter)).toEqual(num("metric", key, "<", 1));
    });

    it("keeps keys case-sensitive while prefixes are not", () => {
      expect(parseRunFilter("METRICS.Loss < 1")).toEqual(num("metric", "Loss", "<", 1));
    });
  });

  describe("values", () => {
    it.each([
      ["1", 1],
      ["-2", -2],
      ["0.5", 0.5],
      [".5", 0.5],
      ["-.5", -0.5],
      ["1.", 1],
      ["1e-3", 0.001],
      ["1E+3", 1000],
      ["-1.5e2", -150],
      ["007", 7],
    ])("reads the number %s", (text, value) => {
      expect(parseRunFilter(`metrics.m = ${text}`)).toEqual(num("metric", "m", "=", value));
    });

    it.each([
      ["'plain'", "plain"],
      ['"double"', "double"],
      ["'it''s'", "it's"],
      ["'it\\'s'", "it's"],
      ['"say ""hi"""', 'say "hi"'],
      ['"say \\"hi\\""', 'say "hi"'],
      ["'back\\\\slash'", "back\\slash"],
      ["'C:\\temp'", "C:\\temp"],
      ["''", ""],
      ["'a OR b AND (c)'", "a OR b AND (c)"],
    ])("reads the string %s", (text, value) => {
      expect(parseRunFilter(`params.p = ${text}`)).toEqual(str("param", "p", "=", value));
    });

    it("reads IN lists of single- and double-quoted strings", () => {
      expect(parseRunFilter(`run_id IN ('a', "b",'c')`)).toEqual({
        kind: "list",
        field: { entity: "attribute", key: "run_id" },
        op: "IN",
        values: ["a", "b", "c"],
        position: 0,
      });
    });

    it("reads IS NULL and IS NOT NULL in any case", () => {
      expect(parseRunFilter("tags.x is not null")).toEqual({
        kind: "null",
        field: { entity: "tag", key: "x" },
        op: "IS NOT NULL",
        position: 0,
      });
      expect(parseRunFilter("params.x IS NULL")).toMatchObject({ kind: "null", op: "IS NULL" });
    });
  });

  describe("structure", () => {
    const a = "metrics.a = 1";
    const b = "metrics.b = 2";
    const c = "metrics.c = 3";

    it("parses an empty or blank filter as the empty AND", () => {
      expect(parseRunFilter("")).toEqual({ kind: "and", operands: [] });
      expect(parseRunFilter("  \n ")).toEqual({ kind: "and", operands: [] });
    });

    it("groups a OR b AND c as a OR (b AND c)", () => {
      expect(parseRunFilter(`${a} OR ${b} AND ${c}`)).toEqual({
        kind: "or",
        operands: [num("metric", "a", "=", 1, 0), { kind: "and", operands: [num("metric", "b", "=", 2, 17), num("metric", "c", "=", 3, 35)] }],
      });
    });

    it("follows parentheses", () => {
      expect(parseRunFilter(`(${a} OR ${b}) AND ${c}`)).toEqual({
        kind: "and",
        operands: [{ kind: "or", operands: [num("metric", "a", "=", 1, 1), num("metric", "b", "=", 2, 18)] }, num("metric", "c", "=", 3, 37)],
      });
    });

    it("flattens chains of the same operator", () => {
      const ast = parseRunFilter(`${a} AND (${b} AND ${c}) AND ${a}`);
      expect(ast.kind).toBe("and");
      expect(ast.kind === "and" && ast.operands.map((o) => o.kind)).toEqual(["number", "number", "number", "number"]);
    });

    it("records the 0-based position of each clause", () => {
      const ast = parseRunFilter("  tags.t = 'x' AND   metrics.m < 1");
      expect(ast).toMatchObject({ operands: [{ position: 2 }, { position: 21 }] });
    });
  });
});
