/**
 * The first pass of an import: walks the bundle's folders (not the run files) and lists its
 * experiments, their tags and the run folders in each, plus everything left out and why. Holds
 * only paths and ids, so scanning 10,000 runs costs a few megabytes.
 *
 * @module
 */
import { TrackerError } from "../errors.js";
import { validateExperimentTag } from "../validation.js";
import { decodeText, type BundleSource } from "./io.js";
import { isExperimentDirName, isJunkFile, isRunDirName, join, META, REGISTRY, RESERVED_EXPERIMENT_FOLDERS, TRASH } from "./layout.js";
import { READ_LIMITS } from "./limits.js";
import { readExperimentMeta, type BundleExperimentMeta } from "./meta.js";
import { MODEL_DIR, type LoggedModelLocation, type RegistryLocation } from "./read-models.js";
import { checked, refused, type RunLocation } from "./read-run.js";
import type { OpenedBundle } from "./source-layout.js";
import { parseYamlMap } from "./yaml.js";

/** An experiment found in a bundle. */
export type ScannedExperiment = { meta: BundleExperimentMeta; tags: Record<string, string>; dir: string; deleted: boolean; runs: RunLocation[]; models: LoggedModelLocation[] };

/** Something in the bundle the import leaves out, and why. */
export type Skipped = { path: string; reason: string };

/** What a bundle holds: experiments (with their runs and logged models), registered models, and what is left out. */
export type Scan = { experiments: ScannedExperiment[]; runCount: number; registry: RegistryLocation[]; skipped: Skipped[] };

const RESERVED_REASONS: Record<string, string> = {
  tags: "",
  datasets: "dataset records (MLflow ≥ 2.4): trackbook has no dataset entities yet",
  traces: "traces: trackbook has no trace entities yet",
};

/** Lists the experiments and run folders of a bundle. */
export async function scanBundle(bundle: OpenedBundle): Promise<Scan> {
  const { source, mlruns } = bundle;
  const scan: Scan = { experiments: [], runCount: 0, registry: [], skipped: [] };
  const seenModels = new Map<string, string>();
  const seenExperiments = new Map<string, string>();
  const seenRuns = new Map<string, string>();
  const visit = async (dir: string, name: string, inTrash: boolean) => {
    const expDir = join(dir, name);
    const exp = await scanExperiment(source, expDir, name, inTrash, scan.skipped);
    if (!exp) return;
    const other = seenExperiments.get(exp.meta.experimentId);
    if (other !== undefined) throw duplicate("experiment", exp.meta.experimentId, other, expDir);
    seenExperiments.set(exp.meta.experimentId, expDir);
    for (const r of exp.runs) {
      const otherRun = seenRuns.get(r.runId);
      if (otherRun !== undefined) throw duplicate("run", r.runId, join(otherRun, META), join(r.dir, META));
      seenRuns.set(r.runId, r.dir);
    }
    for (const m of exp.models) {
      const other = seenModels.get(m.modelId);
      if (other !== undefined) throw duplicate("logged model", m.modelId, join(other, META), join(m.dir, META));
      seenModels.set(m.modelId, m.dir);
    }
    scan.experiments.push(exp);
    scan.runCount += exp.runs.length;
  };
  for (const e of await source.list(mlruns)) {
    const path = join(mlruns, e.name);
    if (e.kind === "symlink" || e.kind === "other") throw refused(source, path, e.kind);
    if (e.kind === "dir" && e.name === TRASH) {
      for (const t of await source.list(path)) {
        if (t.kind === "symlink" || t.kind === "other") throw refused(source, join(path, t.name), t.kind);
        if (t.kind === "dir" && isExperimentDirName(t.name)) await visit(path, t.name, true);
        else scan.skipped.push({ path: join(path, t.name), reason: "not a deleted experiment's folder" });
      }
    } else if (e.kind === "dir" && e.name === REGISTRY) {
      for (const m of await source.list(path)) {
        const dir = join(path, m.name);
        if (m.kind === "symlink" || m.kind === "other") throw refused(source, dir, m.kind);
        if (m.kind !== "dir") scan.skipped.push({ path: dir, reason: isJunkFile(m.name) ? "a file manager's junk file, not MLflow data" : "not a registered model's folder" });
        else if ((await source.list(dir, { sizes: false })).some((f) => f.name === META && f.kind === "file")) scan.registry.push({ dir, name: m.name });
        else scan.skipped.push({ path: dir, reason: `no ${META}: MLflow skips such a registered model folder too` });
      }
    } else if (e.kind === "dir" && isExperimentDirName(e.name)) await visit(mlruns, e.name, false);
    else scan.skipped.push({ path, reason: e.kind === "dir" ? "not an experiment folder (experiment folders are digit ids)" : "not MLflow data" });
  }
  return scan;
}

async function scanExperiment(source: BundleSource, dir: string, name: string, inTrash: boolean, skipped: Skipped[]): Promise<ScannedExperiment | undefined> {
  const entries = await source.list(dir);
  const metaEntry = entries.find((e) => e.name === META && e.kind === "file");
  const metaFile = join(dir, META);
  if (!metaEntry || metaEntry.size === 0) {
    skipped.push({ path: dir, reason: `${metaEntry ? "empty" : "no"} ${META}: MLflow skips such a folder too` });
    return undefined;
  }
  const meta = readExperimentMeta(parseYamlMap(decodeText(await source.read(metaFile, READ_LIMITS.metaBytes), metaFile), metaFile), metaFile, name);
  const tags: Record<string, string> = {};
  const runs: RunLocation[] = [];
  const models: LoggedModelLocation[] = [];
  const deleted = inTrash || meta.lifecycleStage === "deleted";
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.kind === "symlink" || e.kind === "other") throw refused(source, path, e.kind);
    if (e.name === META) continue;
    if (e.kind === "dir" && e.name === "tags") await readTags(source, path, "", tags, skipped);
    else if (e.kind === "dir" && e.name === "models") await scanLoggedModels(source, path, meta.experimentId, models, skipped);
    else if (e.kind === "dir" && RESERVED_EXPERIMENT_FOLDERS.has(e.name)) skipped.push({ path, reason: RESERVED_REASONS[e.name]! });
    else if (e.kind === "dir" && isRunDirName(e.name)) {
      if ((runs.length & 63) === 63) await new Promise<void>((resolve) => setTimeout(resolve, 0));
      const hasMeta = (await source.list(path, { sizes: false })).some((f) => f.name === META && f.kind === "file");
      if (hasMeta) runs.push({ dir: path, runId: e.name, experimentId: meta.experimentId, deleted });
      else skipped.push({ path, reason: `no ${META}: MLflow skips such a run folder too` });
    } else skipped.push({ path, reason: e.kind === "dir" ? "not a run folder (run folders are 32-hex run ids)" : "not MLflow data" });
  }
  return { meta, tags, dir, deleted, runs, models };
}

/** The logged model folders (`m-…` with a meta.yaml) of an experiment's `models/` folder. */
async function scanLoggedModels(source: BundleSource, dir: string, experimentId: string, into: LoggedModelLocation[], skipped: Skipped[]): Promise<void> {
  for (const e of await source.list(dir)) {
    const path = join(dir, e.name);
    if (e.kind === "symlink" || e.kind === "other") throw refused(source, path, e.kind);
    if (e.kind !== "dir" || !MODEL_DIR.test(e.name)) skipped.push({ path, reason: "not a logged model's folder (they are named m-<32 hex digits>)" });
    else if ((await source.list(path, { sizes: false })).some((f) => f.name === META && f.kind === "file")) into.push({ dir: path, modelId: e.name, experimentId });
    else skipped.push({ path, reason: `no ${META}: MLflow skips such a logged model folder too` });
  }
}

async function readTags(source: BundleSource, dir: string, prefix: string, into: Record<string, string>, skipped: Skipped[]): Promise<void> {
  for (const e of await source.list(join(dir, prefix))) {
    const path = join(dir, prefix, e.name);
    if (e.kind === "symlink" || e.kind === "other") throw refused(source, path, e.kind);
    const key = join(prefix, e.name);
    if (e.kind === "dir") await readTags(source, dir, key, into, skipped);
    else if (isJunkFile(e.name)) skipped.push({ path, reason: "a file manager's junk file, not MLflow data" });
    else {
      const value = decodeText(await source.read(path, READ_LIMITS.valueBytes), path);
      checked(path, () => validateExperimentTag(key, value));
      into[key] = value;
    }
  }
}

function duplicate(what: string, id: string, first: string, second: string): TrackerError {
  return new TrackerError("INVALID_PARAMETER_VALUE", `Malformed bundle: ${what} id '${id}' appears twice, in ${first} and in ${second}. Remove one of them.`);
}
