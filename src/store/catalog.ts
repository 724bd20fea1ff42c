/**
 * The in-memory catalogue every store keeps of its experiments and run summaries: lookups that
 * raise MLflow's errors, name uniqueness, id allocation, and search over the summaries. Stores
 * differ in how they persist; what they hold in memory and how they look it up is this.
 *
 * @module
 */
import type { Experiment, ExperimentPage, Run, RunInfo, RunPage, SearchExperimentsQuery, SearchRunsQuery } from "../entities.js";
import { TrackerError } from "../errors.js";
import { newExperimentId } from "../ids.js";
import { searchExperimentsIn, searchRunsIn } from "../search/index.js";
import { messages, notFound, validateExperimentId, validateRunId } from "../validation.js";

/** The smallest thing a store keeps per run. */
export type RunSummary = { info: RunInfo };

/** Experiments and run summaries by id, with the lookups and searches stores share. */
export class Catalog<R extends RunSummary> {
  constructor(
    readonly experiments = new Map<string, Experiment>(),
    readonly runs = new Map<string, R>(),
  ) {}

  /** The experiment with this id; INVALID_PARAMETER_VALUE for a malformed id, RESOURCE_DOES_NOT_EXIST if absent. */
  experiment(id: string): Experiment {
    validateExperimentId(id);
    const e = this.experiments.get(id);
    if (!e) throw notFound.experiment(id);
    return e;
  }

  /** The active or deleted experiment with this exact name. */
  findByName(name: string): Experiment | undefined {
    for (const e of this.experiments.values()) if (e.name === name) return e;
    return undefined;
  }

  /** Throws RESOURCE_ALREADY_EXISTS when another experiment than `self` has `name`. */
  assertNameFree(name: string, self?: Experiment): void {
    const other = this.findByName(name);
    if (other && other !== self && other.experimentId !== self?.experimentId) {
      throw new TrackerError("RESOURCE_ALREADY_EXISTS", messages.experimentNameTaken(name));
    }
  }

  /** A fresh experiment id not used here. */
  newExperimentId(): string {
    let id = newExperimentId();
    while (this.experiments.has(id)) id = newExperimentId();
    return id;
  }

  /** The run with this id; INVALID_PARAMETER_VALUE for a malformed id, RESOURCE_DOES_NOT_EXIST if absent. */
  run(runId: string): R {
    validateRunId(runId);
    const r = this.runs.get(runId);
    if (!r) throw notFound.run(runId);
    return r;
  }

  /** Throws RESOURCE_ALREADY_EXISTS if a run has this id. */
  assertRunIdFree(runId: string): void {
    if (this.runs.has(runId)) throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Run '${runId}' already exists.`);
  }

  /** MLflow's `search_experiments` over the catalogue; the page is a copy. */
  searchExperiments(query: SearchExperimentsQuery): ExperimentPage {
    return structuredClone(searchExperimentsIn(this.experiments.values(), query));
  }

  /** MLflow's `search_runs` over the summaries, seen through `view`; the page is a copy. */
  searchRuns(query: SearchRunsQuery, view: (r: R) => Run): RunPage {
    const ids = new Set(query.experimentIds);
    for (const id of ids) validateExperimentId(id);
    const candidates: Run[] = [];
    for (const r of this.runs.values()) if (ids.has(r.info.experimentId)) candidates.push(view(r));
    return structuredClone(searchRunsIn(candidates, query));
  }
}
