/**
 * Artifact files of the IndexedDB store: one Blob record per file, keyed `[runId, path]`.
 * Folders are implied by paths, as on every store; listing and the file/folder conflict check
 * read the run's keys in the same transaction as the write.
 *
 * @module
 */
import type { IDBPTransaction, StoreNames } from "idb";
import type { ArtifactInfo } from "../../artifacts.js";
import { invalidParameter } from "../../errors.js";
import type { TrackbookDB } from "./schema.js";

type ArtifactsTx = IDBPTransaction<TrackbookDB, StoreNames<TrackbookDB>[], IDBTransactionMode>;

/** Every artifact key of one run: arrays sort after strings, so `[runId, []]` closes the range. */
export function runArtifacts(runId: string): IDBKeyRange {
  return IDBKeyRange.bound([runId, ""], [runId, []]);
}

/** Throws INVALID_PARAMETER_VALUE if `path` is a folder of, or inside a file among, `existing`. */
export function assertPathFree(existing: readonly string[], path: string): void {
  for (const other of existing) {
    if (other.startsWith(path + "/")) throw invalidParameter(`Cannot write artifact file '${path}': it is a folder.`);
    if (path.startsWith(other + "/")) throw invalidParameter(`Cannot write artifact '${path}': '${other}' is a file.`);
  }
}

/** Paths of the run's artifact files, through `tx`. */
export async function artifactPaths(tx: ArtifactsTx, runId: string): Promise<string[]> {
  const keys = await tx.objectStore("artifacts").getAllKeys(runArtifacts(runId));
  return keys.map((k) => k[1]);
}

/** Direct children of folder `path` among `files` (path → size), folders included, sorted. */
export function childrenOf(files: ReadonlyArray<readonly [string, number]>, path: string): ArtifactInfo[] {
  const prefix = path === "" ? "" : path + "/";
  const out = new Map<string, ArtifactInfo>();
  for (const [p, size] of files) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf("/");
    const child = prefix + (slash < 0 ? rest : rest.slice(0, slash));
    out.set(child, slash < 0 ? { path: child, isDir: false, fileSize: size } : { path: child, isDir: true });
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
