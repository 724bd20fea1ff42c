/**
 * Every path rule of an mlruns bundle, in one place (shared/reference/mlruns-format.md §1): where
 * experiments, runs and their files live, which names are reserved, and which entries are
 * someone else's junk. Export and import both ask this module and never build paths themselves.
 *
 * Paths here are bundle-relative and `/`-separated, with no leading or trailing slash; `""` is
 * the mlruns root.
 *
 * @module
 */

/** The folder deleted experiments are moved into. */
export const TRASH = ".trash";
/** The model-registry folder at the root (not an experiment). */
export const REGISTRY = "models";
/** The metadata file of experiments, runs, logged models and registry entries. */
export const META = "meta.yaml";
/** Folder names inside a run. */
export const RUN_FOLDERS = { metrics: "metrics", params: "params", tags: "tags", artifacts: "artifacts", inputs: "inputs", outputs: "outputs" } as const;
/** Folders inside an experiment that are not runs (MLflow's RESERVED_EXPERIMENT_FOLDERS). */
export const RESERVED_EXPERIMENT_FOLDERS: ReadonlySet<string> = new Set(["tags", "datasets", "traces", "models"]);
/** The folder `mlflow server` keeps artifacts in, beside `mlruns/` (for `mlflow-artifacts:` URIs). */
export const MLARTIFACTS = "mlartifacts";
/** The folder an mlruns bundle usually sits in, inside a zip or a parent folder. */
export const MLRUNS = "mlruns";

/** An experiment folder name trackbook keeps as the id: digits, no leading zero ("0" is Default). */
const EXPERIMENT_ID = /^(0|[1-9][0-9]{0,18})$/;
/** A run folder name: MLflow's `uuid4().hex`. */
const RUN_ID = /^[0-9a-f]{32}$/;

/**
 * Files that file managers and tools drop into folders; MLflow would choke on them inside
 * `metrics/` (§1.7, §8.7). The importer skips them, reporting each one.
 */
const JUNK_FILES: ReadonlySet<string> = new Set([".DS_Store", ".gitkeep", ".keep", "Thumbs.db", "desktop.ini"]);
/** Folders added by archivers (macOS resource forks in zips). */
const JUNK_DIRS: ReadonlySet<string> = new Set(["__MACOSX"]);

/** True when `name` is a junk file (see {@link JUNK_FILES}). */
export function isJunkFile(name: string): boolean {
  return JUNK_FILES.has(name) || name.startsWith("._");
}

/** True when `name` is a junk folder. */
export function isJunkDir(name: string): boolean {
  return JUNK_DIRS.has(name);
}

/** True for a folder name that is an experiment id trackbook keeps. */
export function isExperimentDirName(name: string): boolean {
  return EXPERIMENT_ID.test(name);
}

/** True for a folder name that is a run id. */
export function isRunDirName(name: string): boolean {
  return RUN_ID.test(name);
}

/** Joins path segments, skipping empty ones. */
export function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

/** Folder of an experiment: `<id>`, or `.trash/<id>` when it is deleted. */
export function experimentDir(experimentId: string, deleted: boolean): string {
  return deleted ? join(TRASH, experimentId) : experimentId;
}

/** Folder of a run inside its experiment's folder. */
export function runDir(experimentDirPath: string, runId: string): string {
  return join(experimentDirPath, runId);
}

/**
 * File of a metric, param or tag: the key is the path below the folder, so `train/loss` is
 * `metrics/train/loss` (keys are validated to be path-unique before they get here).
 */
export function keyFile(ownerDir: string, folder: "metrics" | "params" | "tags", key: string): string {
  return join(ownerDir, folder, key);
}

/** File of an artifact of a run (`path` is a validated artifact path). */
export function artifactFile(runDirPath: string, path: string): string {
  return join(runDirPath, RUN_FOLDERS.artifacts, path);
}

/**
 * Checks a set of keys for clashes the file layout cannot hold: `a` and `a/b` in one folder need
 * `a` to be a file and a folder at once (§8.1). Returns the first clashing pair, if any.
 */
export function findKeyClash(keys: Iterable<string>): [string, string] | undefined {
  const files = new Set(keys);
  for (const key of files) {
    let at = key.indexOf("/");
    while (at >= 0) {
      const prefix = key.slice(0, at);
      if (files.has(prefix)) return [prefix, key];
      at = key.indexOf("/", at + 1);
    }
  }
  return undefined;
}

/**
 * Where the mlruns root is inside a bundle whose top level lists `names`: the bundle itself when
 * it holds experiment folders, else its single `mlruns/` folder (how `zip -r bundle.zip mlruns`
 * and trackbook's own zips are laid out).
 */
export function locateMlrunsRoot(topLevel: readonly { name: string; kind: string }[]): string {
  const dirs = topLevel.filter((e) => e.kind === "dir" && !isJunkDir(e.name));
  if (dirs.some((e) => isExperimentDirName(e.name) || e.name === TRASH)) return "";
  if (dirs.some((e) => e.name === MLRUNS)) return MLRUNS;
  return "";
}
