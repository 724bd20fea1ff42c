/**
 * File primitives of the Arrow store: atomic JSON writes (temp file + fsync + rename, so a
 * reader or a crash sees the old file or the new one, never half of one), tolerant JSON reads,
 * and appends that undo themselves when they fail.
 *
 * @module
 */
import { open, readFile, rename, rm, truncate } from "node:fs/promises";
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
 * Appends `data` at byte `size` of `path` (the file's known intact length). On failure the
 * file is cut back to `size`, so a failed append leaves the file exactly as it was.
 */
export async function appendAt(path: string, size: number, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
  let fh;
  try {
    fh = await open(path, "a");
    const parts = data instanceof Uint8Array ? [data] : (data as Uint8Array[]);
    const total = parts.reduce((n, p) => n + p.length, 0);
    let done = (data instanceof Uint8Array ? await fh.write(data, 0, data.length) : await fh.writev(parts)).bytesWritten;
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
    await fh?.close().catch(() => undefined);
    fh = undefined;
    await truncate(path, size).catch(() => undefined);
    throw ioError("append to", path, e);
  } finally {
    await fh?.close();
  }
}

/** fsyncs a file (durability point); a missing file is fine. */
export async function syncFile(path: string): Promise<void> {
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
