/**
 * Compiles a filter AST into a predicate: the tree is walked once, so evaluating a run is a
 * chain of closures with no parsing, no allocation and LIKE patterns already turned into RegExps.
 *
 * Semantics, as MLflow's file store (`SearchUtils._does_run_match_clause`):
 * - a subject lacking the field matches no comparison, not even `!=`; only `IS NULL` matches it;
 * - numbers compare as IEEE doubles (a NaN metric matches `!=` and nothing else);
 * - strings compare exactly, by code point.
 *
 * @module
 */
import type { Comparison, FilterExpr } from "./ast.js";
import { type FieldValue, type SearchSchema, fieldSpec } from "./fields.js";

/** A compiled filter. */
export type Predicate<T> = (subject: T) => boolean;

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/;

/**
 * Turns a SQL LIKE pattern into an anchored RegExp: `%` is any run of characters (newlines
 * included), `_` exactly one character (one code point). Everything else is literal, including
 * regex syntax such as `.` or `(`. A backslash escapes `%`, `_` or `\` (PostgreSQL's default), so
 * `'100\%'` matches the text `100%`; before any other character a backslash is literal.
 *
 * @example
 * ```ts
 * likeToRegExp("mnist_v%", false).test("mnist_v2-large"); // true
 * likeToRegExp("a.b", false).test("axb");                 // false: "." is literal
 * ```
 */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let source = "";
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === "\\" && (chars[i + 1] === "%" || chars[i + 1] === "_" || chars[i + 1] === "\\")) {
      // In `u` mode only syntax characters may be escaped: `\%` would be a RegExp SyntaxError.
      const lit = chars[++i]!;
      source += lit === "\\" ? "\\\\" : lit;
    } else if (ch === "%") {
      source += ".*";
    } else if (ch === "_") {
      source += ".";
    } else {
      source += REGEX_SYNTAX.test(ch) ? "\\" + ch : ch;
    }
  }
  // `u` so `_` is one code point (Python's one character); `s` so wildcards cross newlines, as in SQL.
  return new RegExp(`^(?:${source})$`, caseInsensitive ? "isu" : "su");
}

function present(v: FieldValue): v is string | number {
  return v !== undefined;
}

function compileComparison<T>(c: Comparison, schema: SearchSchema<T>): Predicate<T> {
  const spec = fieldSpec(schema, c.field);
  // Only reachable with a hand-built AST naming a field the schema lacks: it can match nothing.
  if (spec === undefined) return () => c.kind === "null" && c.op === "IS NULL";
  const get = spec.get;
  switch (c.kind) {
    case "null":
      return c.op === "IS NULL" ? (s) => get(s) === undefined : (s) => get(s) !== undefined;
    case "list": {
      const set = new Set(c.values);
      return c.op === "IN"
        ? (s) => {
            const v = get(s);
            return typeof v === "string" && set.has(v);
          }
        : (s) => {
            const v = get(s);
            return typeof v === "string" && !set.has(v);
          };
    }
    case "number": {
      const x = c.value;
      const test = NUMERIC_TESTS[c.op];
      return (s) => {
        const v = get(s);
        return typeof v === "number" && test(v, x);
      };
    }
    case "string": {
      const x = c.value;
      if (c.op === "=") return (s) => get(s) === x;
      if (c.op === "!=") {
        return (s) => {
          const v = get(s);
          return present(v) && v !== x;
        };
      }
      const re = likeToRegExp(x, c.op === "ILIKE");
      return (s) => {
        const v = get(s);
        return typeof v === "string" && re.test(v);
      };
    }
  }
}

const NUMERIC_TESTS: Readonly<Record<"=" | "!=" | "<" | "<=" | ">" | ">=", (v: number, x: number) => boolean>> = {
  "=": (v, x) => v === x,
  "!=": (v, x) => v !== x,
  "<": (v, x) => v < x,
  "<=": (v, x) => v <= x,
  ">": (v, x) => v > x,
  ">=": (v, x) => v >= x,
};

/**
 * Compiles a parsed filter into a predicate over subjects of `schema`.
 *
 * @example
 * ```ts
 * const keep = compileFilterExpr(parseRunFilter("metrics.loss < 0.5"), RUN_SCHEMA);
 * runs.filter(keep);
 * ```
 */
export function compileFilterExpr<T>(expr: FilterExpr, schema: SearchSchema<T>): Predicate<T> {
  if (expr.kind !== "and" && expr.kind !== "or") return compileComparison(expr, schema);
  const parts = expr.operands.map((o) => compileFilterExpr(o, schema));
  if (parts.length === 0) return expr.kind === "and" ? () => true : () => false;
  if (parts.length === 1) return parts[0]!;
  if (expr.kind === "and") {
    return (s) => {
      for (const p of parts) if (!p(s)) return false;
      return true;
    };
  }
  return (s) => {
    for (const p of parts) if (p(s)) return true;
    return false;
  };
}
