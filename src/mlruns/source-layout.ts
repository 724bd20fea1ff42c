/**
 * Where the parts of a bundle are inside a source: the mlruns root, and the `mlartifacts/` folder
 * `mlflow server` keeps beside it (the target of `mlflow-artifacts:` URIs), when present.
 *
 * @module
 */
import type { BundleSource } from "./io.js";
import { isJunkDir, locateMlrunsRoot, MLARTIFACTS } from "./layout.js";

/** A source with the place of its mlruns root (and of `mlartifacts/`, if any). */
export type OpenedBundle = { source: BundleSource; mlruns: string; mlartifacts: string | undefined };

/** Finds the mlruns root of a source whose root is a bundle (zips, browser folders). */
export async function locateBundle(source: BundleSource): Promise<OpenedBundle> {
  const top = (await source.list("")).filter((e) => !isJunkDir(e.name));
  const mlruns = locateMlrunsRoot(top);
  const hasArtifacts = mlruns !== "" && top.some((e) => e.name === MLARTIFACTS && e.kind === "dir");
  return { source, mlruns, mlartifacts: hasArtifacts ? MLARTIFACTS : undefined };
}
