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
 * Where trackbook knowingly differs from MLflow (file store, `SearchUtils`):
 * - `OR` and parentheses are accepted (AND binds tighter); MLflow only has AND.
 * - Type prefixes are case-insensitive (`METRICS.x`); keys and attribute names stay exact.
 * - `'it''s'` and `'it\'s'` unescape to `it's` (MLflow keeps the inner quotes as written);
 *   a backslash before anything but a quote or backslash is kept, so `'C:\tmp'` is literal.
 * - LIKE treats regex syntax (`.`, `(`, `+`) literally, lets `%`/`_` cross newlines, and lets
 *   `\` escape `%`, `_` and `\` — SQL (PostgreSQL) semantics. MLflow's file store hands the
 *   pattern to Python's `re` unescaped.
 * - start_time/end_time accept any number (`1.5e12`); MLflow's `int(value)` fails on decimals.
 *   Like sqlparse, `.5`, `1.` and `-2` are numbers; `+1`, `NaN` and `Infinity` are not.
 * - `run_id IN (…)` keeps list items as written (MLflow drops items that are not lower-case).
 * - orderBy also accepts the run-name aliases (`` `Run name` ``).
 * - Strings sort by code point, as Python does (not by UTF-16 unit, as JS `<` does).
 * - Experiments: ties break by experiment_id ASC, digit ids by magnitude (MLflow's file store
 *   breaks ties by id DESC, compared as strings); `tags.x IS NULL` works there too.
 * - Page tokens carry a fingerprint of the query and are rejected for another query; MLflow's
 *   bare-offset tokens are not accepted.
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
