/**
 * Which experiments and runs an export writes: all of them, some experiments, some runs, or the
 * runs matching a search filter (the options combine as an intersection). Only ids are kept, so
 * selecting 10,000 runs holds 10,000 strings, not 10,000 runs.
 *
 * @module
 */
import { DEFAULT_EXPERIMENT_ID, type Experiment, type ViewType } from "../entities.js";
import type { TrackingStore } from "../store/store.js";

/** What to export. With nothing set, everything (deleted experiments and runs included). */
export type ExportSelection = {
  /** Only these experiments (they are written even when no run is selected in them). */
  experimentIds?: string[];
  /** Only these runs (each must exist). */
  runIds?: string[];
  /** Only runs matching this search filter (MLflow grammar, plus OR and parentheses). */
  filter?: string;
  /** Which lifecycle stages of runs to include; default "ALL", as MLflow keeps deleted runs on disk. */
  runViewType?: ViewType;
};

/** Runs asked of the store per search page. */
const RUN_PAGE = 1000;

/** The result of a selection: experiments to write, and the runs of each. */
export type Selected = { experiments: Experiment[]; runsByExperiment: Map<string, string[]>; runCount: number };

async function allExperiments(store: TrackingStore): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchExperiments({ viewType: "ALL", maxResults: 50000, ...(pageToken ? { pageToken } : {}) });
    out.push(...page.experiments);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return out;
}

/** Resolves a selection against the store. */
export async function selectForExport(store: TrackingStore, sel: ExportSelection): Promise<Selected> {
  const everything = await allExperiments(store);
  let candidates = everything;
  if (sel.experimentIds) {
    const wanted = new Set(sel.experimentIds);
    for (const id of wanted) await store.getExperiment(id); // RESOURCE_DOES_NOT_EXIST names a wrong id
    candidates = everything.filter((e) => wanted.has(e.experimentId));
  }
  const onlyRuns = sel.runIds ? new Set(sel.runIds) : undefined;
  if (onlyRuns) for (const id of onlyRuns) await store.getRun(id);
  const runsByExperiment = new Map<string, string[]>();
  let runCount = 0;
  let pageToken: string | undefined;
  if (candidates.length > 0) {
    do {
      const page = await store.searchRuns({
        experimentIds: candidates.map((e) => e.experimentId),
        runViewType: sel.runViewType ?? "ALL",
        // Pages of 1,000 with a yield between them: one page of every run (a store copies what it
        // returns) held the thread for ~100 ms at 1,000 runs of 30 params and tags.
        maxResults: RUN_PAGE,
        ...(sel.filter !== undefined ? { filter: sel.filter } : {}),
        ...(pageToken ? { pageToken } : {}),
      });
      for (const r of page.runs) {
        if (onlyRuns && !onlyRuns.has(r.info.runId)) continue;
        const list = runsByExperiment.get(r.info.experimentId) ?? runsByExperiment.set(r.info.experimentId, []).get(r.info.experimentId)!;
        list.push(r.info.runId);
        runCount++;
      }
      pageToken = page.nextPageToken;
      if (pageToken !== undefined) await new Promise<void>((resolve) => setTimeout(resolve, 0));
    } while (pageToken !== undefined);
  }
  const narrowed = sel.experimentIds === undefined && (sel.runIds !== undefined || sel.filter !== undefined);
  const experiments = everything.filter(
    (e) => e.experimentId === DEFAULT_EXPERIMENT_ID || (narrowed ? runsByExperiment.has(e.experimentId) : candidates.includes(e)),
  );
  return { experiments, runsByExperiment, runCount };
}
