/**
 * What test/mlruns/peer/mlflow_view.py's `models_view` prints, computed from a trackbook store:
 * logged models (metrics as MLflow's reader reduces them: the greatest (step, timestamp, value)
 * per key and dataset) and the registry, locations normalised to `ROOT/<tail>`.
 */
import type { TrackingStore } from "../../../src/store/store.js";
import { hasModels } from "../../../src/store/store.js";
import type { LoggedModelMetric } from "../../../src/models.js";

/** A location inside an mlruns root or a store as `ROOT/<exp>/<run>/artifacts/…` (as mlflow_view._norm_uri). */
export function normUri(uri: string | null): string | null {
  if (uri === null) return null;
  const m = /\/([0-9]+\/(?:[0-9a-f]{32}|models\/m-[0-9a-f]{32})\/artifacts(?:\/.*)?)$/.exec(uri);
  return m ? `ROOT/${m[1]}` : uri;
}

function newest(points: readonly LoggedModelMetric[]): LoggedModelMetric[] {
  const groups = new Map<string, LoggedModelMetric>();
  for (const p of points) {
    const g = `${p.key}\0${p.datasetName}\0${p.datasetDigest}`;
    const best = groups.get(g);
    const later = !best || p.step > best.step || (p.step === best.step && (p.timestamp > best.timestamp || (p.timestamp === best.timestamp && p.value > best.value)));
    if (later) groups.set(g, p);
  }
  return [...groups.values()];
}

/** The models view of `store`. */
export async function modelsView(store: TrackingStore, repr: (v: number) => string): Promise<Record<string, unknown>> {
  if (!hasModels(store)) throw new Error("store has no models");
  const { experiments } = await store.searchExperiments({ viewType: "ALL", maxResults: 50000 });
  const logged: Record<string, unknown> = {};
  for (const m of await store.searchLoggedModels(experiments.map((e) => e.experimentId))) {
    const artifacts: Record<string, number> = {};
    const walk = async (p: string) => {
      for (const a of await store.listLoggedModelArtifacts(m.modelId, p)) {
        if (a.isDir) await walk(a.path);
        else artifacts[a.path] = a.fileSize!;
      }
    };
    await walk("");
    logged[m.modelId] = {
      name: m.name,
      experiment_id: m.experimentId,
      status: m.status,
      status_message: m.statusMessage,
      source_run_id: m.sourceRunId,
      model_type: m.modelType,
      creation_timestamp: m.creationTimestamp,
      last_updated_timestamp: m.lastUpdatedTimestamp,
      tags: m.tags,
      params: m.params,
      metrics: newest(m.metrics)
        .map((p) => [p.key, p.step, repr(p.value), p.timestamp, p.runId])
        .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : (a[1] as number) - (b[1] as number))),
      artifacts,
      // trackbook keeps the run → model link as the model's source run (export writes outputs/).
      run_output: m.sourceRunId === null ? null : 1,
    };
  }
  const registry: Record<string, unknown> = {};
  for (const rm of await store.listRegisteredModels()) {
    const versions: Record<string, unknown> = {};
    for (const v of await store.listModelVersions(rm.name)) {
      versions[String(v.version)] = {
        creation_timestamp: v.creationTimestamp,
        last_updated_timestamp: v.lastUpdatedTimestamp,
        description: v.description,
        user_id: v.userId,
        current_stage: v.currentStage,
        source: normUri(v.source),
        run_id: v.runId,
        run_link: v.runLink,
        status: v.status,
        status_message: v.statusMessage,
        model_id: v.modelId,
        tags: v.tags,
        aliases: Object.keys(rm.aliases).filter((a) => rm.aliases[a] === v.version).sort(),
      };
    }
    registry[rm.name] = {
      creation_timestamp: rm.creationTimestamp,
      last_updated_timestamp: rm.lastUpdatedTimestamp,
      description: rm.description,
      tags: rm.tags,
      aliases: rm.aliases,
      versions,
    };
  }
  return { logged_models: logged, registry };
}
