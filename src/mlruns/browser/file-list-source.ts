/**
 * A bundle given as a folder's files: `<input type="file" webkitdirectory>` or a dropped folder,
 * each `File` carrying its `webkitRelativePath`. The paths form the tree; a single top folder
 * (the one the user picked) is the bundle's root.
 *
 * @module
 */
import { TrackerError } from "../../errors.js";
import { assertSafePath, type BundleSource, type SourceEntry } from "../io.js";
import { locateBundle, type OpenedBundle } from "../source-layout.js";
import type { FileLike } from "./types.js";

/** Opens a folder's file list as a bundle. */
export async function openFileListSource(list: ArrayLike<FileLike>): Promise<OpenedBundle> {
  const files = Array.from(list);
  const paths = files.map((f) => f.webkitRelativePath || f.name);
  const tops = new Set(paths.map((p) => p.split("/")[0]));
  const strip = tops.size === 1 && paths.every((p) => p.includes("/")) ? [...tops][0]! + "/" : "";
  const byPath = new Map<string, FileLike>();
  const folders = new Map<string, Map<string, SourceEntry>>([["", new Map()]]);
  const addFolder = (path: string): Map<string, SourceEntry> => {
    let f = folders.get(path);
    if (f) return f;
    f = new Map();
    folders.set(path, f);
    const at = path.lastIndexOf("/");
    addFolder(at < 0 ? "" : path.slice(0, at)).set(path.slice(at + 1), { name: path.slice(at + 1), kind: "dir", size: 0 });
    return f;
  };
  files.forEach((file, i) => {
    const path = paths[i]!.slice(strip.length);
    assertSafePath(path, "file path");
    const at = path.lastIndexOf("/");
    addFolder(at < 0 ? "" : path.slice(0, at)).set(path.slice(at + 1), { name: path.slice(at + 1), kind: "file", size: file.size });
    byPath.set(path, file);
  });
  const source: BundleSource = {
    label: `dropped folder ${strip.replace(/\/$/, "") || "(files)"}`,
    async list(dir) {
      return [...(folders.get(dir)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async read(path, maxBytes) {
      const f = byPath.get(path);
      if (!f) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `The dropped folder has no file '${path}'.`);
      if (f.size > maxBytes) throw new TrackerError("RESOURCE_EXHAUSTED", `'${path}' has ${f.size} bytes; the limit for this file is ${maxBytes}.`);
      return new Uint8Array(await f.arrayBuffer());
    },
    async close() {},
  };
  return locateBundle(source);
}
