/**
 * File primitives of the Arrow store: atomic JSON writes (temp file + fsync + rename, so a
 * reader or a crash sees the old file or the new one, never half of one), tolerant JSON reads,
 * and appends that undo themselves when they fail.
 *
 * @module
 */
import { writevSync } from "node:fs";
import { open, readFile, rename, rm, truncate, type FileHandle } from "node:fs/promises";
import { isMainThread } from "node:worker_threads";
import { TrackerError } from "../../errors.js";

/** Turns a file-system failure into a TrackerError that names the file and what to do. */
export function ioError(action: string, path: string, e: unknown): TrackerError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const detail = (e as Error)?.message ?? String(e);
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new TrackerError("RESOURCE_EXHAUSTED", `Could not ${action} ${path}: the disk is full. Free space and flush again; data already stored is intact.`, { cause: e });
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new TrackerError("PERMISSION_DENIED", `Could not ${action} ${path}: ${detail}. Check the folder's permissions.`, { cause: e });
  }
  return new TrackerError("INTERNAL_ERROR", `Could not ${action} ${path}: ${detail}`, { cause: e });
}

let tmpCounter = 0;

/** Writes `data` to `path` atomically. */
export async function writeAtomic(path: string, data: string | Uint8Array, durable = true): Promise<void> {
  const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
  try {
    const fh = await open(tmp, "w");
    try {
      await fh.writeFile(data);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw ioError("write", path, e);
  }
}

/** What a tolerant JSON read found. */
export type JsonRead<T> = { ok: true; value: T } | { ok: false; missing: boolean; reason: string };

/** Reads and parses a JSON file; never throws (a damaged file is reported, not fatal). */
export async function readJson<T>(path: string): Promise<JsonRead<T>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    return { ok: false, missing, reason: missing ? "missing" : (e as Error).message };
  }
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch (e) {
    return { ok: false, missing: false, reason: `not valid JSON (${(e as Error).message})` };
  }
}

/**
 * Open append handles of history files, most recently used last, so a flush that touches 1,000
 * runs does not open and close 1,000 files (that was most of its cost). Bounded: the least
 * recently used handle is closed past `max`. Writes are never in flight on more than a few
 * handles at once (the store limits its concurrency far below `max`), so an evicted handle is idle.
 */
export class HandleCache {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  /**
   * @param syncWrites append with blocking writes on the calling thread instead of the thread
   *   pool. The default is to do so in a worker thread, which serves the store and nothing
   *   else: 1,000 appends of ~28 KB took ~40% less CPU in all (no promise and thread-pool hop
   *   per write), and the logging thread is not the one blocked. In the main thread, appends
   *   stay asynchronous.
   */
  // Node raises the soft descriptor limit to the hard one at start-up (commonly ≥ 10,240), and
  // an EMFILE still only shrinks the cache (see get).
  constructor(private readonly max = 2048, readonly syncWrites = !isMainThread) {}

  /** The append handle of `path`, opened (created) on first use. */
  get(path: string): Promise<FileHandle> {
    let h = this.handles.get(path);
    if (h) {
      this.handles.delete(path);
      this.handles.set(path, h);
      return h;
    }
    h = open(path, "a").catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== "EMFILE" || this.handles.size < 2) throw e;
      // Out of descriptors: close the older half and try once more.
      await Promise.all([...this.handles.keys()].slice(0, this.handles.size >> 1).filter((p) => p !== path).map((p) => this.drop(p)));
      return open(path, "a");
    });
    this.handles.set(path, h);
    h.catch(() => this.handles.get(path) === h && this.handles.delete(path));
    if (this.handles.size > this.max) {
      const [oldest] = this.handles.keys();
      void this.drop(oldest!);
    }
    return h;
  }

  /** The handle of `path` if one is open now. */
  peek(path: string): Promise<FileHandle> | undefined {
    return this.handles.get(path);
  }

  /** Closes the handle of `path` (before the file is replaced, or after a failed write). */
  async drop(path: string): Promise<void> {
    const h = this.handles.get(path);
    if (!h) return;
    this.handles.delete(path);
    await h.then((fh) => fh.close()).catch(() => undefined);
  }

  /** Closes every handle. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.handles.keys()].map((p) => this.drop(p)));
  }
}

/**
 * Appends `data` at byte `size` of `path` (the file's known intact length). On failure the
 * file is cut back to `size`, so a failed append leaves the file exactly as it was. With
 * `handles`, the file's cached append handle is used and kept open.
 */
export async function appendAt(path: string, size: number, data: Uint8Array | readonly Uint8Array[], handles?: HandleCache): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = handles ? await handles.get(path) : await open(path, "a");
    const parts = data instanceof Uint8Array ? [data] : (data as Uint8Array[]);
    const total = parts.reduce((n, p) => n + p.length, 0);
    let done = handles?.syncWrites ? writeAllSync(fh.fd, parts) : (await writeAll(fh, parts)).bytesWritten;
    // A write can land only in part (a disk filling up returns a short count, then ENOSPC on
    // the next write): finish it, or fail and cut the part off below.
    if (done < total) {
      const rest = Buffer.concat(parts).subarray(done);
      for (let at = 0; at < rest.length; at += done) {
        done = (await fh.write(rest, at, rest.length - at)).bytesWritten;
        if (done === 0) throw Object.assign(new Error("no bytes could be written"), { code: "ENOSPC" });
      }
    }
  } catch (e) {
    if (handles) await handles.drop(path);
    else await fh?.close().catch(() => undefined);
    fh = undefined;
    await truncate(path, size).catch(() => undefined);
    throw ioError("append to", path, e);
  }
  if (!handles) await fh.close();
}

/** writev is limited to IOV_MAX (1024) buffers per call; larger lists go in several calls. */
async function writeAll(fh: FileHandle, parts: Uint8Array[]): Promise<{ bytesWritten: number }> {
  if (parts.length === 1) return fh.write(parts[0]!, 0, parts[0]!.length);
  let bytesWritten = 0;
  for (let i = 0; i < parts.length; i += 1024) {
    const slice = parts.slice(i, i + 1024);
    const want = slice.reduce((n, p) => n + p.length, 0);
    const r = await fh.writev(slice);
    bytesWritten += r.bytesWritten;
    if (r.bytesWritten < want) break;
  }
  return { bytesWritten };
}

/** {@link writeAll} with blocking writes. */
function writeAllSync(fd: number, parts: Uint8Array[]): number {
  let bytesWritten = 0;
  for (let i = 0; i < parts.length; i += 1024) {
    const slice = parts.slice(i, i + 1024);
    const want = slice.reduce((n, p) => n + p.length, 0);
    const n = writevSync(fd, slice);
    bytesWritten += n;
    if (n < want) break;
  }
  return bytesWritten;
}

/** fsyncs a file (durability point); a missing file is fine. */
export async function syncFile(path: string, handles?: HandleCache): Promise<void> {
  const cached = handles?.peek(path);
  if (cached) {
    try {
      return await (await cached).sync();
    } catch (e) {
      throw ioError("sync", path, e);
    }
  }
  let fh;
  try {
    fh = await open(path, "r+");
    await fh.sync();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw ioError("sync", path, e);
  } finally {
    await fh?.close();
  }
}
