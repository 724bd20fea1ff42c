/**
 * The model part of an import: logged models (`<exp>/models/m-…`, with their artifacts) and the
 * registry (`models/<name>/`, versions, tags, aliases). Planned with the runs — every file read
 * and checked before the first write — and written after them, each write recorded in the undo
 * log with its inverse.
 *
 * Conflicts follow `onConflict`: a logged model id or a (name, version) the store already has
 * is skipped, replaced, or imported under a new id / the next free version number. A registered
 * model the store already has is merged: its versions join it, and tags and aliases it lacks are
 * added. Locations are relocated: a logged model's artifacts move into the store (which gives the
 * location), and a version's `source` / `storage_location` that pointed into the bundle point at
 * the imported run's or logged model's artifacts in the store.
 *
 * @module
 */
import { isTrackerError } from "../errors.js";
import { newModelId, type LoggedModel, type ModelVersion, type RegisteredModel } from "../models.js";
import { hasModels, type ModelStore, type TrackingStore } from "../store/store.js";
import type { ConflictPolicy } from "./import-plan.js";
import type { Scan, Skipped } from "./import-scan.js";
import { join } from "./layout.js";
import { readLoggedModel, readRegisteredModel, type LoggedModelLocation } from "./read-models.js";
import type { RecordArtifact } from "./run-record.js";
import type { OpenedBundle } from "./source-layout.js";
import type { UndoLog } from "./undo.js";

/** Why models are left out of an import into a store without models. */
export const NO_MODEL_REGISTRY = "this store has no model registry";

/** What happens to one logged model of the bundle. */
export type LoggedModelPlan = { loc: LoggedModelLocation; model: LoggedModel; artifacts: RecordArtifact[]; action: "import" | "replace"; targetId: string };
/** What happens to one version of a registered model. */
export type VersionPlan = { version: ModelVersion; action: "import" | "replace"; target: number };
/** What happens to one registered model of the bundle. */
export type RegisteredModelPlan = { dir: string; model: RegisteredModel; existing: RegisteredModel | undefined; versions: VersionPlan[]; versionMap: Map<number, number> };
/** The model part of an import plan. */
export type ModelsPlan = { logged: LoggedModelPlan[]; registry: RegisteredModelPlan[]; modelIds: Map<string, string> };

/** What the model part of an import wrote. */
export type ModelCounts = { loggedModels: number; loggedModelArtifacts: number; registeredModels: number; modelVersions: number };

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isTrackerError(e, "RESOURCE_DOES_NOT_EXIST")) return undefined;
    throw e;
  }
}

/** Reads and checks every logged model and registry entry of the bundle and decides what happens to each; writes nothing. */
export async function planModels(store: TrackingStore, bundle: OpenedBundle, scan: Scan, policy: ConflictPolicy, skipped: Skipped[], notes: string[]): Promise<ModelsPlan> {
  const plan: ModelsPlan = { logged: [], registry: [], modelIds: new Map() };
  const locations = scan.experiments.flatMap((e) => e.models);
  if (!hasModels(store)) {
    for (const loc of locations) skipped.push({ path: loc.dir, reason: `logged model ${loc.modelId}: ${NO_MODEL_REGISTRY}` });
    for (const r of scan.registry) skipped.push({ path: r.dir, reason: `registered model '${r.name}': ${NO_MODEL_REGISTRY}` });
    return plan;
  }
  for (const loc of locations) {
    const read = await readLoggedModel(bundle.source, loc, bundle.mlartifacts);
    skipped.push(...read.skipped);
    const inStore = await orUndefined(store.getLoggedModel(loc.modelId));
    if (inStore && policy === "skip") {
      skipped.push({ path: loc.dir, reason: `logged model ${loc.modelId} is already in the store (onConflict: 'skip')` });
      continue;
    }
    let targetId = loc.modelId;
    if (inStore && policy === "new-ids") {
      targetId = newModelId();
      plan.modelIds.set(loc.modelId, targetId);
    }
    plan.logged.push({ loc, model: read.model, artifacts: read.artifacts, action: inStore && policy === "replace" ? "replace" : "import", targetId });
  }
  for (const loc of scan.registry) {
    const read = await readRegisteredModel(bundle.source, loc);
    skipped.push(...read.skipped);
    const existing = await orUndefined(store.getRegisteredModel(read.model.name));
    const taken = new Set(existing ? (await store.listModelVersions(read.model.name)).map((v) => v.version) : []);
    let next = Math.max(0, ...taken, ...read.versions.map((v) => v.version)) + 1;
    const versions: VersionPlan[] = [];
    const versionMap = new Map<number, number>();
    for (const version of read.versions) {
      if (!taken.has(version.version)) versions.push({ version, action: "import", target: version.version });
      else if (policy === "skip") {
        skipped.push({ path: join(loc.dir, `version-${version.version}`), reason: `version ${version.version} of registered model '${version.name}' is already in the store (onConflict: 'skip')` });
        continue;
      } else if (policy === "replace") versions.push({ version, action: "replace", target: version.version });
      else {
        versions.push({ version, action: "import", target: next });
        notes.push(`Version ${version.version} of registered model '${version.name}' was imported as version ${next} (the store has a version ${version.version}).`);
        next++;
      }
      versionMap.set(version.version, versions[versions.length - 1]!.target);
    }
    if (existing) notes.push(`Registered model '${read.model.name}' is already in the store; the bundle's versions joined it, and tags and aliases it lacked were added.`);
    plan.registry.push({ dir: loc.dir, model: read.model, existing, versions, versionMap });
  }
  return plan;
}

/** How the model part of an import finds what the run part did. */
export type ModelApplyContext = {
  /** Bundle experiment id → store experiment id. */
  experimentIds: Map<string, string>;
  /** Bundle run id → new run id (onConflict 'new-ids'). */
  runIds: Map<string, string>;
  /** Run ids of the bundle. */
  bundleRuns: ReadonlySet<string>;
};

/** Writes the planned models into `store`, recording each inverse in `undo`. */
export async function applyModels(store: TrackingStore, plan: ModelsPlan, ctx: ModelApplyContext, undo: UndoLog): Promise<ModelCounts> {
  const counts: ModelCounts = { loggedModels: 0, loggedModelArtifacts: 0, registeredModels: 0, modelVersions: 0 };
  if (plan.logged.length === 0 && plan.registry.length === 0) return counts;
  const models = store as TrackingStore & ModelStore;
  const runId = (id: string | null) => (id === null ? null : (ctx.runIds.get(id) ?? id));
  for (const p of plan.logged) {
    if (p.action === "replace") {
      const old = await snapshotLoggedModel(models, p.targetId);
      await models.deleteLoggedModel(p.targetId);
      undo.push(`replaced logged model ${p.targetId}`, async () => {
        await models.putLoggedModel(old.model);
        for (const [path, bytes] of old.files) await models.logLoggedModelArtifact(p.targetId, path, bytes);
      });
    }
    const model: LoggedModel = {
      ...p.model,
      modelId: p.targetId,
      experimentId: ctx.experimentIds.get(p.model.experimentId) ?? p.model.experimentId,
      sourceRunId: runId(p.model.sourceRunId),
      metrics: p.model.metrics.map((m) => ({ ...m, runId: runId(m.runId) })),
    };
    undo.push(`logged model ${p.targetId}`, async () => {
      if (await orUndefined(models.getLoggedModel(p.targetId))) await models.deleteLoggedModel(p.targetId);
    });
    await models.putLoggedModel(model);
    for (const a of p.artifacts) {
      await models.logLoggedModelArtifact(p.targetId, a.path, await a.read());
      counts.loggedModelArtifacts++;
    }
    counts.loggedModels++;
  }
  const relocate = await relocator(models, plan, ctx);
  for (const r of plan.registry) {
    const aliases: Record<string, number> = {};
    for (const [alias, v] of Object.entries(r.model.aliases)) aliases[alias] = r.versionMap.get(v) ?? v;
    if (!r.existing) {
      undo.push(`registered model '${r.model.name}'`, async () => {
        if (await orUndefined(models.getRegisteredModel(r.model.name))) await models.deleteRegisteredModel(r.model.name);
      });
      await models.putRegisteredModel({ ...r.model, aliases: {} });
      counts.registeredModels++;
    }
    for (const v of r.versions) {
      const version: ModelVersion = {
        ...v.version,
        version: v.target,
        runId: runId(v.version.runId),
        modelId: v.version.modelId === null ? null : (plan.modelIds.get(v.version.modelId) ?? v.version.modelId),
        source: await relocate(v.version.source),
        storageLocation: v.version.storageLocation === null ? null : await relocate(v.version.storageLocation),
      };
      if (v.action === "replace") {
        const old = await models.getModelVersion(r.model.name, v.target);
        undo.push(`replaced version ${v.target} of registered model '${r.model.name}'`, () => models.putModelVersion(old));
      } else {
        // Recorded before the write: a version whose write failed is not there to remove.
        undo.push(`version ${v.target} of registered model '${r.model.name}'`, async () => {
          if (await orUndefined(models.getModelVersion(r.model.name, v.target))) await models.deleteModelVersion(r.model.name, v.target);
        });
      }
      await models.putModelVersion(version);
      counts.modelVersions++;
    }
    // The model record last: aliases name versions that now exist.
    const before = r.existing;
    if (before) {
      const merged: RegisteredModel = { ...before, tags: { ...r.model.tags, ...before.tags }, aliases: { ...aliases, ...before.aliases } };
      undo.push(`tags and aliases of registered model '${before.name}'`, () => models.putRegisteredModel(before));
      await models.putRegisteredModel(merged);
    } else await models.putRegisteredModel({ ...r.model, aliases });
  }
  return counts;
}

/**
 * Rewrites a version's `source` / `storage_location` that points at a bundle's files — a run's
 * `…/<exp>/<run_id>/artifacts[/…]` or a logged model's `…/<exp>/models/<model_id>/artifacts[/…]`
 * as a `file:`, `mlflow-artifacts:` or plain path — to where the store keeps that run's or logged
 * model's artifacts (when the store has it, imported now or before); and `models:/<model_id>` /
 * `runs:/<run_id>/…` whose id changed. Other URIs (`s3://…`, a server's `http…`) are kept.
 */
async function relocator(store: TrackingStore & ModelStore, plan: ModelsPlan, ctx: ModelApplyContext): Promise<(uri: string) => Promise<string>> {
  const local = (uri: string) => /^(file:|mlflow-artifacts:)/.test(uri) || !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri);
  return async (uri) => {
    let m = /^(?:.*\/)?[0-9]+\/([0-9a-f]{32})\/artifacts(\/.*)?$/.exec(uri);
    if (m && local(uri) && ctx.bundleRuns.has(m[1]!)) {
      const run = await orUndefined(store.getRun(ctx.runIds.get(m[1]!) ?? m[1]!));
      if (run) return run.info.artifactUri + (m[2] ?? "");
    }
    m = /^(?:.*\/)?[0-9]+\/models\/(m-[0-9a-f]{32})\/artifacts(\/.*)?$/.exec(uri);
    if (m && local(uri)) {
      const model = await orUndefined(store.getLoggedModel(plan.modelIds.get(m[1]!) ?? m[1]!));
      if (model) return model.artifactLocation + (m[2] ?? "");
    }
    m = /^models:\/(m-[0-9a-f]{32})(\/.*)?$/.exec(uri);
    if (m && plan.modelIds.has(m[1]!)) return `models:/${plan.modelIds.get(m[1]!)}${m[2] ?? ""}`;
    m = /^runs:\/([0-9a-f]{32})(\/.*)?$/.exec(uri);
    if (m && ctx.runIds.has(m[1]!)) return `runs:/${ctx.runIds.get(m[1]!)}${m[2] ?? ""}`;
    return uri;
  };
}

/** A logged model of the store with its artifact files, to put back if a replacing import is undone. */
async function snapshotLoggedModel(store: ModelStore, modelId: string): Promise<{ model: LoggedModel; files: [string, Uint8Array][] }> {
  const model = await store.getLoggedModel(modelId);
  const files: [string, Uint8Array][] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const a of await store.listLoggedModelArtifacts(modelId, folder)) {
      if (a.isDir) await walk(a.path);
      else files.push([a.path, await store.readLoggedModelArtifact(modelId, a.path)]);
    }
  };
  await walk("");
  return { model, files };
}
