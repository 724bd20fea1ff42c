/**
 * Bundles in a `FileSystemDirectoryHandle` (File System Access API, or the origin-private file
 * system): read a picked mlruns folder, or write an export into a picked folder. The API has no
 * symlinks, so none can be met; it has no rename either, so an export writes `mlruns/` in place
 * and removes it again if the export fails or is cancelled.
 *
 * @module
 */
import { TrackerError } from "../../errors.js";
import { assertSafePath, byteLength, type BundleSink, type BundleSource, type SourceEntry } from "../io.js";
import { MLRUNS } from "../layout.js";
import { locateBundle, type OpenedBundle } from "../source-layout.js";
import type { DirectoryHandleLike, FileHandleLike } from "./types.js";

async function walk(root: DirectoryHandleLike, path: string, create = false): Promise<DirectoryHandleLike | undefined> {
  let dir = root;
  for (const part of path === "" ? [] : path.split("/")) {
    try {
      dir = await dir.getDirectoryHandle(part, { create });
    } catch (e) {
      if (create) throw e;
      return undefined;
    }
  }
  return dir;
}

/** Opens a directory handle as a bundle. */
export async function openDirectorySource(root: DirectoryHandleLike): Promise<OpenedBundle> {
  const source: BundleSource = {
    label: `folder ${root.name}`,
    async list(dir) {
      const d = await walk(root, dir);
      if (!d) return [];
      const out: SourceEntry[] = [];
      for await (const h of d.values()) out.push(h.kind === "directory" ? { name: h.name, kind: "dir", size: 0 } : { name: h.name, kind: "file", size: (await h.getFile()).size });
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async read(path, maxBytes) {
      const at = path.lastIndexOf("/");
      const d = await walk(root, at < 0 ? "" : path.slice(0, at));
      let file: FileHandleLike | undefined;
      try {
        file = d && (await d.getFileHandle(path.slice(at + 1)));
      } catch {
        file = undefined;
      }
      if (!file) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Folder ${root.name} has no file '${path}'.`);
      const blob = await file.getFile();
      if (blob.size > maxBytes) throw new TrackerError("RESOURCE_EXHAUSTED", `'${path}' has ${blob.size} bytes; the limit for this file is ${maxBytes}.`);
      return new Uint8Array(await blob.arrayBuffer());
    },
    async close() {},
  };
  return locateBundle(source);
}

/** A sink writing `mlruns/` into a directory handle (which must not hold one yet). */
export async function directorySink(root: DirectoryHandleLike): Promise<BundleSink> {
  if (await walk(root, MLRUNS)) throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Folder ${root.name} already has an ${MLRUNS} folder; choose another folder.`);
  const base = (await walk(root, MLRUNS, true))!;
  return {
    label: `folder ${root.name}/${MLRUNS}`,
    rootUri: undefined,
    async mkdir(path) {
      assertSafePath(path);
      await walk(base, path, true);
    },
    async writeFile(path, data) {
      assertSafePath(path);
      const at = path.lastIndexOf("/");
      const dir = (await walk(base, at < 0 ? "" : path.slice(0, at), true))!;
      const handle = await dir.getFileHandle(path.slice(at + 1), { create: true });
      if (!handle.createWritable) throw new TrackerError("NOT_IMPLEMENTED", "This browser cannot write files into a picked folder (no createWritable).");
      const w = await handle.createWritable();
      const bytes = data instanceof Uint8Array ? data : concat(data as readonly Uint8Array[]);
      await w.write(bytes);
      await w.close();
    },
    async commit() {},
    async abort() {
      await root.removeEntry?.(MLRUNS, { recursive: true });
    },
  };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(byteLength(chunks));
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.length));
  return out;
}
