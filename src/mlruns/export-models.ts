/**
 * Writes a store's logged models and model registry in MLflow 3's file-store layout
 * (mlruns-format §1.5, §4), so `MlflowClient("file:…")` reads them (`get_logged_model`,
 * `search_registered_models`, `get_model_version`) and an import gives them back:
 *
 *   <exp>/models/<model_id>/{meta.yaml, tags/, params/, metrics/, artifacts/}
 *   models/<name>/{meta.yaml, tags/, aliases/<alias>, version-<n>/{meta.yaml, tags/}}
 *
 * Logged models go with their experiment (only exported experiments' models are written). An
 * export of everything writes the registry whole; an export of a selection writes only the
 * versions that belong to it (their run or logged model is exported), the registered models that
 * have such a version, and their aliases of those versions, so sharing one experiment does not
 * hand over the rest of the registry. Locations that point at the store's own artifacts (a logged model's
 * artifact location, an exported run's artifact URI) are rewritten to where the bundle has them.
 *
 * @module
 */
import type { Experiment } from "../entities.js";
import { validateRegisteredModelName, type ModelVersion } from "../models.js";
import { hasModels, type ModelStore, type TrackingStore } from "../store/store.js";
import { encodeText, type BundleSink } from "./io.js";
import { experimentDir, join, keyFile, META, REGISTRY } from "./layout.js";
import { formatModelMetricLines, loggedModelMetaYaml, modelVersionMetaYaml, registeredModelMetaYaml } from "./model-meta.js";
import { toYaml } from "./yaml.js";

/** What writing the models added to the bundle. */
export type ModelWriteStats = { files: number; bytes: number; loggedModels: number; registeredModels: number; modelVersions: number };

/** How {@link writeModels} finds where things are in the bundle. */
export type ModelWriteContext = {
  /** The bundle root URI as MLflow will see it (no trailing slash). */
  root: string;
  /** The exported experiments. */
  experiments: readonly Experiment[];
  /** The store's artifact URI of an exported run → its URI in the bundle. */
  runArtifactUris: ReadonlyMap<string, string>;
  /** Exported run id → its folder in the bundle (for the run's `outputs/<model_id>` link). */
  runDirs: ReadonlyMap<string, string>;
  /** Copy logged-model artifacts. */
  artifacts: boolean;
  /** The export is of everything: the registry goes whole (else only what belongs to the selection). */
  wholeRegistry: boolean;
};

/** Writes the logged models of the exported experiments and the registry (see the module notes); nothing when the store has no models. */
export async function writeModels(store: TrackingStore, sink: BundleSink, ctx: ModelWriteContext): Promise<ModelWriteStats> {
  const stats: ModelWriteStats = { files: 0, bytes: 0, loggedModels: 0, registeredModels: 0, modelVersions: 0 };
  if (!hasModels(store)) return stats;
  const put = async (path: string, text: string) => {
    const bytes = encodeText(text);
    await sink.writeFile(path, bytes);
    stats.files++;
    stats.bytes += bytes.length;
  };
  /** Store location prefix → bundle location prefix. */
  const moved = new Map<string, string>(ctx.runArtifactUris);
  const exportedModels = new Set<string>();
  for (const e of ctx.experiments) {
    const expDir = experimentDir(e.experimentId, e.lifecycleStage === "deleted");
    for (const m of await store.searchLoggedModels([e.experimentId])) {
      const dir = join(expDir, "models", m.modelId);
      const location = `${ctx.root}/${e.experimentId}/models/${m.modelId}/artifacts`;
      moved.set(m.artifactLocation, location);
      await sink.mkdir(dir);
      await put(join(dir, META), toYaml(loggedModelMetaYaml(m, location)));
      for (const folder of ["tags", "params", "metrics", "artifacts"]) await sink.mkdir(join(dir, folder));
      for (const [k, v] of Object.entries(m.tags)) await put(keyFile(dir, "tags", k), v);
      for (const [k, v] of Object.entries(m.params)) await put(keyFile(dir, "params", k), v);
      const byKey = new Map<string, typeof m.metrics>();
      for (const p of m.metrics) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p]);
      for (const [k, points] of byKey) await put(keyFile(dir, "metrics", k), formatModelMetricLines(points));
      if (ctx.artifacts) await copyArtifacts(store, sink, m.modelId, join(dir, "artifacts"), "", stats);
      // The source run's side of the link (MLflow's run.outputs.model_outputs), as log_model writes it.
      const runDir = m.sourceRunId === null ? undefined : ctx.runDirs.get(m.sourceRunId);
      if (runDir !== undefined) await put(join(runDir, "outputs", m.modelId, META), runOutputYaml(m.modelId));
      exportedModels.add(m.modelId);
      stats.loggedModels++;
    }
  }
  const relocate = (uri: string): string => {
    for (const [from, to] of moved) if (uri === from || uri.startsWith(from + "/")) return to + uri.slice(from.length);
    return uri;
  };
  const belongs = (v: ModelVersion) => (v.runId !== null && ctx.runDirs.has(v.runId)) || (v.modelId !== null && exportedModels.has(v.modelId));
  for (const whole of await store.listRegisteredModels()) {
    validateRegisteredModelName(whole.name);
    const versions = (await store.listModelVersions(whole.name)).filter((v) => ctx.wholeRegistry || belongs(v));
    if (!ctx.wholeRegistry && versions.length === 0) continue;
    const kept = new Set(versions.map((v) => v.version));
    const rm = { ...whole, aliases: Object.fromEntries(Object.entries(whole.aliases).filter(([, v]) => kept.has(v))) };
    const dir = join(REGISTRY, rm.name);
    await sink.mkdir(dir);
    await put(join(dir, META), registeredModelMetaYaml(rm));
    for (const [k, v] of Object.entries(rm.tags)) await put(keyFile(dir, "tags", k), v);
    for (const [alias, v] of Object.entries(rm.aliases)) await put(join(dir, "aliases", alias), String(v));
    for (const v of versions) {
      const vdir = join(dir, `version-${v.version}`);
      await sink.mkdir(vdir);
      await put(join(vdir, META), toYaml(modelVersionMetaYaml(v, relocate(v.source), v.storageLocation === null ? null : relocate(v.storageLocation))));
      for (const [k, value] of Object.entries(v.tags)) await put(keyFile(vdir, "tags", k), value);
      stats.modelVersions++;
    }
    stats.registeredModels++;
  }
  return stats;
}

/** `outputs/<model_id>/meta.yaml` of a run that logged a model (step 0, as `log_model` writes it). */
function runOutputYaml(modelId: string): string {
  // "tags" sorts last, so the empty map goes after what toYaml writes, as PyYAML's sorted dump puts it.
  return toYaml({ destination_id: modelId, destination_type: "MODEL_OUTPUT", source_id: modelId, source_type: "RUN_OUTPUT", step: 0 }) + "tags: {}\n";
}

async function copyArtifacts(store: ModelStore, sink: BundleSink, modelId: string, dir: string, folder: string, stats: ModelWriteStats): Promise<void> {
  for (const a of await store.listLoggedModelArtifacts(modelId, folder)) {
    if (a.isDir) {
      await sink.mkdir(join(dir, a.path));
      await copyArtifacts(store, sink, modelId, dir, a.path, stats);
    } else {
      const bytes = await store.readLoggedModelArtifact(modelId, a.path);
      await sink.writeFile(join(dir, a.path), bytes);
      stats.files++;
      stats.bytes += bytes.length;
    }
  }
}
