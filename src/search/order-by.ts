/**
 * Parses `orderBy` entries (`"metrics.loss ASC"`, ``"params.`alpha` DESC"``, `"start_time"`):
 * one identifier, in any spelling a filter accepts, and an optional direction (default ASC).
 *
 * @module
 */
import { invalidParameter } from "../errors.js";
import { describe } from "../validation.js";
import type { OrderByKey } from "./ast.js";
import { type Comparator, fieldComparator, sortByKeys, thenBy } from "./compare.js";
import { type FieldSpec, RUN_SCHEMA, type SearchSchema } from "./fields.js";
import { isIdentifierToken, isKeyword, resolveIdentifier } from "./identifier.js";
import { type Token, tokenize } from "./lexer.js";
import { searchMessages } from "./messages.js";

/** A parsed orderBy entry with its field resolved against a schema. */
export type ResolvedOrderBy<T> = { spec: FieldSpec<T>; ascending: boolean };

const DIRECTIONS = ["ASC", "DESC"] as const;

function fail(ctx: string, tok: Token, expected: string): never {
  throw invalidParameter(searchMessages.expected(ctx, tok.pos, expected, tok.text));
}

function parseEntry<T>(entry: string, index: number, schema: SearchSchema<T>): ResolvedOrderBy<T> {
  const ctx = `orderBy entry ${index} (${describe(entry)})`;
  const tokens = tokenize(entry, ctx);
  const first = tokens[0]!;
  if (!isIdentifierToken(first, DIRECTIONS)) {
    fail(ctx, first, schema.subject === "run" ? "a field such as metrics.loss, params.lr or start_time" : "a field such as name or creation_time");
  }
  const spec = resolveIdentifier(first, schema, ctx, "sort");
  let k = 1;
  let ascending = true;
  const dir = tokens[k]!;
  if (isKeyword(dir, "ASC") || isKeyword(dir, "DESC")) {
    ascending = isKeyword(dir, "ASC");
    k++;
  } else if (dir.kind !== "eof") {
    fail(ctx, dir, "ASC, DESC or the end of the entry (quote keys that contain spaces with backticks)");
  }
  const rest = tokens[k]!;
  if (rest.kind !== "eof") fail(ctx, rest, "the end of the entry (each entry is one field and an optional ASC or DESC)");
  return { spec, ascending };
}

/**
 * Parses a whole `orderBy` list against `schema`.
 *
 * @throws TrackerError INVALID_PARAMETER_VALUE when `orderBy` is not an array of strings, or an
 * entry has an unknown field, a bad direction or extra tokens; the message names the entry and
 * the position in it.
 */
export function parseOrderBy<T>(orderBy: readonly string[] | undefined, schema: SearchSchema<T>): ResolvedOrderBy<T>[] {
  if (orderBy === undefined) return [];
  if (!Array.isArray(orderBy)) throw invalidParameter(searchMessages.orderByNotArray(orderBy));
  return orderBy.map((entry, i) => {
    if (typeof entry !== "string") throw invalidParameter(searchMessages.orderByEntryNotString(i, entry));
    return parseEntry(entry, i, schema);
  });
}

/**
 * Parses run `orderBy` entries into plain keys.
 *
 * @example
 * ```ts
 * parseRunOrderBy(["metrics.`train/loss` DESC", "created"]);
 * // [{ field: { entity: "metric", key: "train/loss" }, ascending: false },
 * //  { field: { entity: "attribute", key: "start_time" }, ascending: true }]
 * ```
 */
export function parseRunOrderBy(orderBy: readonly string[] | undefined): OrderByKey[] {
  return parseOrderBy(orderBy, RUN_SCHEMA).map(({ spec, ascending }) => ({ field: spec.ref, ascending }));
}

/**
 * Compiles `orderBy` over `base` (which must end in a unique key for the order to be total):
 * a comparator, and a `sort` that gives the same order faster by reading each key once per item.
 */
export function compileOrderBy<T>(
  orderBy: readonly string[] | undefined,
  schema: SearchSchema<T>,
  base: readonly ResolvedOrderBy<T>[],
): { compare: Comparator<T>; sort: (items: readonly T[]) => T[] } {
  const keys = [...parseOrderBy(orderBy, schema), ...base];
  return {
    compare: thenBy(keys.map((k) => fieldComparator(k.spec, k.ascending))),
    sort: (items) => sortByKeys(items, keys),
  };
}
