/**
 * Artifacts as plain files under `runs/<runId>/artifacts/`, so they can be opened, copied or
 * exported as they are. Paths are validated (artifacts.ts) before they touch the file system.
 *
 * @module
 */
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { validateArtifactPath, type ArtifactInfo } from "../../artifacts.js";
import { invalidParameter, TrackerError } from "../../errors.js";
import { ioError, writeAtomic } from "./files.js";

async function kindOf(path: string): Promise<"file" | "dir" | undefined> {
  try {
    return (await stat(path)).isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

/** Writes an artifact file atomically, refusing a file where a folder is and the reverse. */
export async function writeArtifactIn(root: string, path: string, data: Uint8Array): Promise<void> {
  validateArtifactPath(path);
  if (!(data instanceof Uint8Array)) throw invalidParameter("Artifact data must be a Uint8Array.");
  const target = join(root, ...path.split("/"));
  if ((await kindOf(target)) === "dir") throw invalidParameter(`Cannot write artifact file '${path}': it is a folder.`);
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    if ((await kindOf(join(root, ...parts.slice(0, i)))) === "file") throw invalidParameter(`Cannot write artifact '${path}': '${prefix}' is a file.`);
  }
  await mkdir(dirname(target), { recursive: true }).catch((e) => { throw ioError("create", dirname(target), e); });
  await writeAtomic(target, data, false);
}

/** Direct children of folder `path` under `root`, sorted by path. */
export async function listArtifactsIn(root: string, path: string): Promise<ArtifactInfo[]> {
  validateArtifactPath(path, true);
  const dir = path === "" ? root : join(root, ...path.split("/"));
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: ArtifactInfo[] = [];
  for (const e of entries) {
    if (e.name.endsWith(".tmp")) continue; // an atomic write in progress, or one a crash left behind
    const rel = path === "" ? e.name : `${path}/${e.name}`;
    if (e.isDirectory()) out.push({ path: rel, isDir: true });
    else out.push({ path: rel, isDir: false, fileSize: (await stat(join(dir, e.name))).size });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The bytes of one artifact file. */
export async function readArtifactIn(root: string, runId: string, path: string): Promise<Uint8Array> {
  validateArtifactPath(path);
  const target = join(root, ...path.split("/"));
  if ((await kindOf(target)) !== "file") throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Run '${runId}' has no artifact file '${path}'.`);
  try {
    return new Uint8Array(await readFile(target));
  } catch (e) {
    throw ioError("read", target, e);
  }
}
