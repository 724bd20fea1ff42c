/**
 * Zip files on the local disk: a random-access reader over a file handle, and an output that
 * writes a hidden temporary file beside the target and renames it into place on commit.
 *
 * @module
 */
import { readSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TrackerError } from "../../errors.js";
import type { ZipOutput } from "../zip/zip-sink.js";
import type { RandomAccess } from "../zip/zip-reader.js";
import { fsError } from "./fs-errors.js";

/** Reads up to this size are synchronous (see `read`). */
const SYNC_READ_BYTES = 1 << 20;

/** Random access to a local file. */
export async function fileAccess(path: string): Promise<RandomAccess> {
  const fh = await open(path, "r").catch((e) => {
    throw fsError(e, `open ${path}`);
  });
  const size = (await fh.stat()).size;
  const readInto = (offset: number, length: number, into: Uint8Array): void => {
    let at = 0;
    while (at < length) {
      let n: number;
      try {
        n = readSync(fh.fd, into, at, length - at, offset + at);
      } catch (e) {
        throw fsError(e, `read ${path}`);
      }
      if (n === 0) throw new TrackerError("INVALID_PARAMETER_VALUE", `${path} ended early (truncated zip?).`);
      at += n;
    }
  };
  return {
    size,
    async read(offset, length) {
      const buf = new Uint8Array(length);
      // Small reads (entry headers, most entries) synchronously, as the folder source does: a
      // FileHandle.read costs a thread-pool round trip and ~50 µs of promise machinery on this
      // thread, which was the largest single cost of reading a zip of many small entries.
      if (length <= SYNC_READ_BYTES) {
        readInto(offset, length, buf);
        return buf;
      }
      let at = 0;
      while (at < length) {
        const { bytesRead } = await fh.read(buf, at, length - at, offset + at);
        if (bytesRead === 0) throw new TrackerError("INVALID_PARAMETER_VALUE", `${path} ended early (truncated zip?).`);
        at += bytesRead;
      }
      return buf;
    },
    readInto,
    close: () => fh.close(),
  };
}

/** An output for a new zip file at `target` (which must not exist). */
export async function zipFileOutput(target: string): Promise<{ out: ZipOutput; rootUri: string }> {
  const dest = resolve(target);
  if (await stat(dest).catch(() => undefined)) {
    throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Cannot export to ${dest}: it already exists. Choose a new file name.`);
  }
  const temp = join(dirname(dest), `.${basename(dest)}.partial-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(dirname(dest), { recursive: true });
  const fh = await open(temp, "wx").catch((e) => {
    throw fsError(e, `create ${temp}`);
  });
  let closed = false;
  const close = async () => {
    if (!closed) (closed = true), await fh.close();
  };
  const out: ZipOutput = {
    async write(chunk) {
      let at = 0;
      while (at < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, at, chunk.length - at).catch((e) => {
          throw fsError(e, `write ${dest}`);
        });
        at += bytesWritten;
      }
    },
    async commit() {
      await fh.sync();
      await close();
      await rename(temp, dest).catch((e) => {
        throw fsError(e, `move the zip into ${dest}`);
      });
    },
    async abort() {
      await close();
      await rm(temp, { force: true });
    },
  };
  // Unpacked beside the zip, the bundle is ./mlruns next to it.
  return { out, rootUri: pathToFileURL(join(dirname(dest), "mlruns")).href };
}
