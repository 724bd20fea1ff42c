/**
 * Artifact URIs of a bundle: where a run's artifacts are inside it. Artifacts are read only from
 * inside the bundle: the run's own `artifacts/` folder (MLflow's default local root), or, for
 * `mlflow-artifacts:` URIs written by `mlflow server`, the `mlartifacts/` folder beside `mlruns/`.
 * An absolute `file://` URI elsewhere on this machine is never followed: a bundle must not be
 * able to pull local files into a store.
 *
 * @module
 */
import { TrackerError } from "../errors.js";
import type { BundleSource } from "./io.js";
import { join, RUN_FOLDERS } from "./layout.js";

/** The path below `mlartifacts/` that an `mlflow-artifacts:` URI names, or undefined for other URIs. */
export function mlflowArtifactsPath(uri: string): string | undefined {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(uri);
  if (!m) return undefined;
  const path = m[1]!.replace(/\/+$/, "");
  if (path === "" || path.split("/").some((s) => s === "" || s === "." || s === "..") || path.includes("\\")) {
    throw new TrackerError("INVALID_PARAMETER_VALUE", `Refusing artifact URI ${JSON.stringify(uri)}: it points outside the bundle's mlartifacts/ folder.`);
  }
  return path;
}

/** The folder holding a run's artifacts inside the bundle, if the bundle has them. */
export async function artifactsDirOf(source: BundleSource, runDir: string, artifactUri: string, mlartifacts: string | undefined): Promise<string | undefined> {
  const own = (await source.list(runDir, { sizes: false })).find((e) => e.name === RUN_FOLDERS.artifacts);
  if (own?.kind === "dir") return join(runDir, RUN_FOLDERS.artifacts);
  if (mlartifacts === undefined) return undefined;
  const rel = mlflowArtifactsPath(artifactUri);
  if (rel === undefined) return undefined;
  const dir = join(mlartifacts, rel);
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  const name = dir.slice(dir.lastIndexOf("/") + 1);
  const entry = (await source.list(parent)).find((e) => e.name === name);
  return entry?.kind === "dir" ? dir : undefined;
}
