/**
 * The syntax tree of a search filter. Plain data (it survives `structuredClone` and JSON), so a
 * parsed filter can be shown, cached or sent to a worker. Keys are already unquoted and aliases
 * already resolved (`created` is `start_time`, `` `Run name` `` is `run_name`), so consumers
 * never see surface syntax.
 *
 * @module
 */

/** What a key names. Aliases (`metrics`, `params`, `attr`, …) are resolved to these. */
export type EntityType = "metric" | "param" | "tag" | "attribute" | "dataset";

/** Comparators whose right side is a number. */
export type NumericOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** Comparators whose right side is a quoted string. */
export type StringOperator = "=" | "!=" | "LIKE" | "ILIKE";

/** Comparators whose right side is a parenthesised list of strings. */
export type ListOperator = "IN" | "NOT IN";

/** Comparators with no right side. */
export type NullOperator = "IS NULL" | "IS NOT NULL";

/** Every comparator of the grammar (keywords upper-cased). */
export type Operator = NumericOperator | StringOperator | ListOperator | NullOperator;

/** A resolved field: `metrics.\`train/loss\`` is `{ entity: "metric", key: "train/loss" }`. */
export type FieldRef = {
  entity: EntityType;
  /** Unquoted and, for attributes, canonical (`run_name`, `start_time`). */
  key: string;
};

/** `metrics.loss < 0.5`, `attributes.start_time >= 1700000000000`. */
export type NumberComparison = {
  kind: "number";
  field: FieldRef;
  op: NumericOperator;
  value: number;
  /** 0-based offset of the identifier in the filter string. */
  position: number;
};

/** `params.lr = '0.1'`, `tags.team ILIKE 'vis%'`. */
export type StringComparison = {
  kind: "string";
  field: FieldRef;
  op: StringOperator;
  value: string;
  position: number;
};

/** `run_id IN ('a', 'b')`. */
export type ListComparison = {
  kind: "list";
  field: FieldRef;
  op: ListOperator;
  values: string[];
  position: number;
};

/** `tags.note IS NULL`. */
export type NullComparison = {
  kind: "null";
  field: FieldRef;
  op: NullOperator;
  position: number;
};

/** One clause. */
export type Comparison = NumberComparison | StringComparison | ListComparison | NullComparison;

/** All operands must match. With no operands (the empty filter) it matches everything. */
export type AndExpr = { kind: "and"; operands: FilterExpr[] };

/** At least one operand must match (a trackbook extension; MLflow has only AND). */
export type OrExpr = { kind: "or"; operands: FilterExpr[] };

/** A parsed filter. */
export type FilterExpr = Comparison | AndExpr | OrExpr;

/** One parsed `orderBy` entry. */
export type OrderByKey = {
  field: FieldRef;
  ascending: boolean;
};
