/**
 * A bundle read from a folder on the local disk. Listings report symlinks as such (never
 * followed), so the importer can refuse them; reads are bounded by the caller's size limit.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { TrackerError } from "../../errors.js";
import { assertSafePath, type BundleSource, type EntryKind, type SourceEntry } from "../io.js";
import { MLARTIFACTS, MLRUNS } from "../layout.js";
import type { OpenedBundle } from "../source-layout.js";
import { fsError } from "./fs-errors.js";

/** Files up to this size are read synchronously (see `read`). */
const SYNC_READ_BYTES = 1 << 20;

/**
 * Opens folder `path`: an mlruns folder, or a folder holding `mlruns/` (and maybe `mlartifacts/`).
 * When `path` is an mlruns folder with an `mlartifacts/` beside it, the source is rooted at the
 * parent so `mlflow-artifacts:` URIs can be resolved.
 */
export async function openFolderSource(path: string): Promise<OpenedBundle> {
  const dir = resolve(path);
  const s = await stat(dir).catch((e) => {
    throw fsError(e, `open the bundle folder ${dir}`);
  });
  if (!s.isDirectory()) throw new TrackerError("INVALID_PARAMETER_VALUE", `${dir} is not a folder (a .zip file must end in .zip).`);
  if (await isDir(join(dir, MLRUNS))) return { source: folderSource(dir), mlruns: MLRUNS, mlartifacts: (await isDir(join(dir, MLARTIFACTS))) ? MLARTIFACTS : undefined };
  if (basename(dir) !== MLARTIFACTS && (await isDir(join(dirname(dir), MLARTIFACTS)))) {
    return { source: folderSource(dirname(dir)), mlruns: basename(dir), mlartifacts: MLARTIFACTS };
  }
  return { source: folderSource(dir), mlruns: "", mlartifacts: undefined };
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

function kindOf(d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind {
  if (d.isSymbolicLink()) return "symlink";
  if (d.isDirectory()) return "dir";
  return d.isFile() ? "file" : "other";
}

/** A BundleSource over folder `root` (absolute). */
export function folderSource(root: string): BundleSource {
  const abs = (p: string) => {
    if (p !== "") assertSafePath(p);
    return join(root, p);
  };
  // A small file read at once (BundleSource.readNow); undefined above SYNC_READ_BYTES.
  const readNow = (path: string, maxBytes: number, scratch: { bytes: Uint8Array }): Uint8Array | undefined => {
    const file = abs(path);
    let fd: number | undefined;
    try {
      fd = openSync(file, "r");
      const size = fstatSync(fd).size;
      if (size > SYNC_READ_BYTES) return undefined;
      if (size > maxBytes) throw new TrackerError("RESOURCE_EXHAUSTED", `${file} has ${size} bytes; the limit for this file is ${maxBytes}.`);
      if (scratch.bytes.length < size) scratch.bytes = new Uint8Array(Math.max(size, 2 * scratch.bytes.length));
      let at = 0;
      while (at < size) {
        const n = readSync(fd, scratch.bytes, at, size - at, at);
        if (n === 0) break;
        at += n;
      }
      return scratch.bytes.subarray(0, at);
    } catch (e) {
      if (e instanceof TrackerError) throw e;
      throw fsError(e, `read ${file}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  return {
    label: `folder ${root}`,
    async list(dir, options) {
      let entries;
      try {
        // Listed synchronously, for the reason small files are read so (see `read`): a bundle's
        // folders hold a few dozen entries (an experiment's, a few thousand: a millisecond or
        // two), and a thread-pool round trip cost more than the listing, several per run.
        entries = readdirSync(abs(dir), { withFileTypes: true });
      } catch (e) {
        if ((e as { code?: string }).code === "ENOENT" || (e as { code?: string }).code === "ENOTDIR") return [];
        throw fsError(e, `list ${abs(dir)}`);
      }
      const out: SourceEntry[] = [];
      if (options?.sizes === false) {
        for (const d of entries) out.push({ name: d.name, kind: kindOf(d), size: 0 });
        return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }
      if (entries.length <= 64) {
        // A few files (a run's artifacts, an experiment's meta.yaml): stat here, as they are read.
        for (const d of entries) {
          const kind = kindOf(d);
          out.push({ name: d.name, kind, size: kind === "file" ? statSync(join(abs(dir), d.name)).size : 0 });
        }
        return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }
      // Sizes of 64 files at a time: concurrent stats hide latency without flooding the thread pool.
      for (let i = 0; i < entries.length; i += 64) {
        const slice = entries.slice(i, i + 64).map(async (d): Promise<SourceEntry> => {
          const kind = kindOf(d);
          return { name: d.name, kind, size: kind === "file" ? (await stat(join(abs(dir), d.name))).size : 0 };
        });
        out.push(...(await Promise.all(slice)));
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async read(path, maxBytes) {
      const file = abs(path);
      // Small files (an mlruns bundle is mostly files of a few bytes) are read synchronously: an
      // async read costs four thread-pool round trips (open, fstat, read, close), which measured
      // ~4× slower on bundles of many tiny files, while a sync read of a small file blocks for
      // microseconds. Large files keep the async path. A fresh buffer each: the bytes may be kept or transferred.
      const small = readNow(path, maxBytes, { bytes: new Uint8Array(0) });
      if (small !== undefined) return small;
      const fh = await open(file, "r").catch((e) => {
        throw fsError(e, `read ${file}`);
      });
      try {
        const size = (await fh.stat()).size;
        if (size > maxBytes) throw new TrackerError("RESOURCE_EXHAUSTED", `${file} has ${size} bytes; the limit for this file is ${maxBytes}.`);
        const buf = new Uint8Array(size);
        let at = 0;
        while (at < size) {
          const { bytesRead } = await fh.read(buf, at, size - at, at);
          if (bytesRead === 0) break;
          at += bytesRead;
        }
        return at === size ? buf : buf.subarray(0, at);
      } finally {
        await fh.close();
      }
    },
    readNow,
    localPath: (path) => abs(path),
    async close() {},
  };
}
