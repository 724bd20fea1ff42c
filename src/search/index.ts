/**
 * Search: MLflow's filter and orderBy grammar (mlruns-format.md §7) plus `OR` and parentheses,
 * evaluated over runs and experiments in memory, with opaque page tokens.
 *
 * Pipeline: `lexer` → `parse-filter` (type-checked against `fields`) → AST (`ast`) →
 * `evaluate` (predicate); `order-by` → `compare` (comparator); `page-token` (paging).
 * `run-search` and `experiment-search` put the pieces together for the stores.
 *
 * Not exported: the lexer, identifier resolution and the schemas' internals, which are free to
 * change; the AST types and messages are the stable surface.
 *
 * @module
 */
export type {
  AndExpr,
  Comparison,
  EntityType,
  FieldRef,
  FilterExpr,
  ListComparison,
  ListOperator,
  NullComparison,
  NullOperator,
  NumberComparison,
  NumericOperator,
  Operator,
  OrderByKey,
  OrExpr,
  StringComparison,
  StringOperator,
} from "./ast.js";
export type { Comparator } from "./compare.js";
export { compareCodePoints } from "./compare.js";
export type { Predicate } from "./evaluate.js";
export { likeToRegExp } from "./evaluate.js";
export { compileExperimentFilter, compileExperimentOrderBy, searchExperimentsIn } from "./experiment-search.js";
export { searchMessages } from "./messages.js";
export { parseRunOrderBy } from "./order-by.js";
export type { PageTokenPayload } from "./page-token.js";
export {
  decodePageToken,
  encodePageToken,
  experimentsQueryFingerprint,
  runsQueryFingerprint,
} from "./page-token.js";
export { parseExperimentFilter, parseRunFilter } from "./parse-filter.js";
export { compileRunFilter, compileRunOrderBy, searchRunsIn } from "./run-search.js";
