/**
 * MLflow's `search_experiments` over experiments in memory: filter on `name`, `creation_time`,
 * `last_update_time` and `tags.<key>`; sort by `name`, `experiment_id`, `creation_time`,
 * `last_update_time`; page like run search.
 *
 * @module
 */
import type { Experiment, ExperimentPage, SearchExperimentsQuery } from "../entities.js";
import { resolveMaxResults, validateViewType } from "../validation.js";
import { compileFilterExpr } from "./evaluate.js";
import { EXPERIMENT_SCHEMA, fieldSpec } from "./fields.js";
import { compileOrderBy, type ResolvedOrderBy } from "./order-by.js";
import { experimentsQueryFingerprint, paginate } from "./page-token.js";
import { parseFilter } from "./parse-filter.js";
import { viewTypeFilter } from "./run-search.js";

// experiment_id is unique, so ending with it makes the order total.
const BASE_ORDER: readonly ResolvedOrderBy<Experiment>[] = [
  { spec: fieldSpec(EXPERIMENT_SCHEMA, { entity: "attribute", key: "creation_time" })!, ascending: false },
  { spec: fieldSpec(EXPERIMENT_SCHEMA, { entity: "attribute", key: "experiment_id" })!, ascending: true },
];

/**
 * Parses an experiment filter once and returns a predicate (undefined or blank: match all).
 *
 * @example
 * ```ts
 * const keep = compileExperimentFilter("name ILIKE 'mnist%' AND tags.team = 'vision'");
 * ```
 * @throws TrackerError INVALID_PARAMETER_VALUE for a syntax or type error, naming its position.
 */
export function compileExperimentFilter(filter: string | undefined): (experiment: Experiment) => boolean {
  if (filter === undefined) return () => true;
  return compileFilterExpr(parseFilter(filter, EXPERIMENT_SCHEMA), EXPERIMENT_SCHEMA);
}

/**
 * Builds a total order on experiments: the `orderBy` keys, then creation_time DESC, then
 * experiment_id ASC (digit ids by magnitude).
 *
 * @example
 * ```ts
 * experiments.sort(compileExperimentOrderBy(["name ASC"]));
 * ```
 * @throws TrackerError INVALID_PARAMETER_VALUE for an unknown key, a bad direction or extra tokens.
 */
export function compileExperimentOrderBy(orderBy: readonly string[] | undefined): (a: Experiment, b: Experiment) => number {
  return compileOrderBy(orderBy, EXPERIMENT_SCHEMA, BASE_ORDER).compare;
}

/**
 * Runs MLflow's `search_experiments` over `experiments`: view type (default ACTIVE_ONLY), filter,
 * sort, page. Returns the objects given; callers copy them.
 *
 * @example
 * ```ts
 * const { experiments: page } = searchExperimentsIn(all, { filter: "name LIKE 'mnist%'", orderBy: ["name"] });
 * ```
 * @throws TrackerError INVALID_PARAMETER_VALUE for a bad filter, orderBy, view type, maxResults
 * or page token.
 */
export function searchExperimentsIn(
  experiments: Iterable<Experiment>,
  query: SearchExperimentsQuery = {},
): ExperimentPage {
  const maxResults = resolveMaxResults(query.maxResults);
  const viewType = query.viewType ?? "ACTIVE_ONLY";
  validateViewType(viewType);
  const matches = compileExperimentFilter(query.filter);
  const order = compileOrderBy(query.orderBy, EXPERIMENT_SCHEMA, BASE_ORDER);
  const fingerprint = experimentsQueryFingerprint(query);

  const inView = viewTypeFilter(viewType);
  const kept: Experiment[] = [];
  for (const e of experiments) if (inView(e.lifecycleStage) && matches(e)) kept.push(e);
  const { items, nextPageToken } = paginate(order.sort(kept), query.pageToken, maxResults, fingerprint);
  return nextPageToken === undefined ? { experiments: items } : { experiments: items, nextPageToken };
}
