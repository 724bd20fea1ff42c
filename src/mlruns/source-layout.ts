/**
 * Where the parts of a bundle are inside a source: the mlruns root, and the `mlartifacts/` folder
 * `mlflow server` keeps beside it (the target of `mlflow-artifacts:` URIs), when present.
 *
 * @module
 */
import type { BundleSource } from "./io.js";
import type { ReadRun, RunLocation } from "./read-run.js";
import { isJunkDir, locateMlrunsRoot, MLARTIFACTS } from "./layout.js";

/**
 * A source with the place of its mlruns root (and of `mlartifacts/`, if any). `readRun`, when
 * given, reads a run as read-run.ts's `readRun` does, elsewhere (on a worker thread, in Node).
 */
export type OpenedBundle = { source: BundleSource; mlruns: string; mlartifacts: string | undefined; readRun?: (loc: RunLocation, check: boolean) => Promise<ReadRun> };

/** Finds the mlruns root of a source whose root is a bundle (zips, browser folders). */
export async function locateBundle(source: BundleSource): Promise<OpenedBundle> {
  const top = (await source.list("")).filter((e) => !isJunkDir(e.name));
  const mlruns = locateMlrunsRoot(top);
  const hasArtifacts = mlruns !== "" && top.some((e) => e.name === MLARTIFACTS && e.kind === "dir");
  return { source, mlruns, mlartifacts: hasArtifacts ? MLARTIFACTS : undefined };
}
