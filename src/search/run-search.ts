/**
 * MLflow's `search_runs` over runs already in memory. Stores hand in their candidate runs and get
 * back one page; the pipeline is: experiment ids, view type, filter, sort, page.
 *
 * @module
 */
import type { Run, RunPage, SearchRunsQuery, ViewType } from "../entities.js";
import { invalidParameter } from "../errors.js";
import { resolveMaxResults, validateViewType } from "../validation.js";
import { compileFilterExpr, type Predicate } from "./evaluate.js";
import { RUN_SCHEMA, fieldSpec } from "./fields.js";
import { searchMessages } from "./messages.js";
import { compileOrderBy, type ResolvedOrderBy } from "./order-by.js";
import { paginate, runsQueryFingerprint } from "./page-token.js";
import { parseFilter } from "./parse-filter.js";

// MLflow's base order, under any user keys: newest first, then run id, which is unique, so the
// whole order is total and pages never overlap or skip.
const BASE_ORDER: readonly ResolvedOrderBy<Run>[] = [
  { spec: fieldSpec(RUN_SCHEMA, { entity: "attribute", key: "start_time" })!, ascending: false },
  { spec: fieldSpec(RUN_SCHEMA, { entity: "attribute", key: "run_id" })!, ascending: true },
];

/**
 * Parses a run filter once and returns a predicate. An undefined, empty or all-whitespace
 * filter matches every run.
 *
 * @example
 * ```ts
 * const keep = compileRunFilter("metrics.loss < 0.5 AND (tags.team = 'vision' OR params.lr = '0.1')");
 * const good = runs.filter(keep);
 * ```
 * @throws TrackerError INVALID_PARAMETER_VALUE for a syntax or type error, naming its position.
 */
export function compileRunFilter(filter: string | undefined): (run: Run) => boolean {
  if (filter === undefined) return () => true;
  return compileFilterExpr(parseFilter(filter, RUN_SCHEMA), RUN_SCHEMA);
}

/**
 * Builds a total order on runs: the `orderBy` keys first, then start_time DESC, then run_id ASC.
 * Params and tags sort as strings (by code point), metrics and times as numbers; missing values
 * and NaN sort last in either direction.
 *
 * @example
 * ```ts
 * runs.sort(compileRunOrderBy(["metrics.accuracy DESC", "params.lr"]));
 * ```
 * @throws TrackerError INVALID_PARAMETER_VALUE for an unknown field, a bad direction or extra tokens.
 */
export function compileRunOrderBy(orderBy: readonly string[] | undefined): (a: Run, b: Run) => number {
  return compileOrderBy(orderBy, RUN_SCHEMA, BASE_ORDER).compare;
}

/** Keeps runs whose lifecycle stage the view type selects. */
export function viewTypeFilter(viewType: ViewType): (stage: string) => boolean {
  if (viewType === "ALL") return () => true;
  const wanted = viewType === "ACTIVE_ONLY" ? "active" : "deleted";
  return (stage) => stage === wanted;
}

/**
 * Runs MLflow's `search_runs` over `runs`: keeps runs of `query.experimentIds` in the view type's
 * lifecycle stage (default ACTIVE_ONLY) that match `query.filter`, sorts them by `query.orderBy`
 * over the base order, and returns the page `query.pageToken` points at (`maxResults` runs,
 * default 1000, at most 50000). The returned runs are the objects given; callers copy them.
 *
 * Everything is validated before any run is looked at, so a bad query fails even on no runs.
 *
 * @example
 * ```ts
 * const page = searchRunsIn(allRuns, { experimentIds: ["0"], filter: "metrics.loss < 1", orderBy: ["metrics.loss"], maxResults: 10 });
 * const next = page.nextPageToken && searchRunsIn(allRuns, { experimentIds: ["0"], filter: "metrics.loss < 1", orderBy: ["metrics.loss"], maxResults: 10, pageToken: page.nextPageToken });
 * ```
 * @throws TrackerError INVALID_PARAMETER_VALUE for a bad filter, orderBy, view type, maxResults
 * or page token.
 */
export function searchRunsIn(runs: Iterable<Run>, query: SearchRunsQuery): RunPage {
  if (!Array.isArray(query.experimentIds)) throw invalidParameter(searchMessages.experimentIds(query.experimentIds));
  const maxResults = resolveMaxResults(query.maxResults);
  const viewType = query.runViewType ?? "ACTIVE_ONLY";
  validateViewType(viewType);
  const matches: Predicate<Run> = compileRunFilter(query.filter);
  const order = compileOrderBy(query.orderBy, RUN_SCHEMA, BASE_ORDER);
  const fingerprint = runsQueryFingerprint(query);

  const ids = new Set(query.experimentIds);
  const inView = viewTypeFilter(viewType);
  const kept: Run[] = [];
  for (const run of runs) {
    if (ids.has(run.info.experimentId) && inView(run.info.lifecycleStage) && matches(run)) kept.push(run);
  }
  const { items, nextPageToken } = paginate(order.sort(kept), query.pageToken, maxResults, fingerprint);
  return nextPageToken === undefined ? { runs: items } : { runs: items, nextPageToken };
}
