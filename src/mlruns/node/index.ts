/**
 * The Node adapters: bundle folders and zip files given as paths.
 *
 * @module
 */
import { resolve } from "node:path";
import type { BundleSink } from "../io.js";
import { locateBundle, type OpenedBundle } from "../source-layout.js";
import type { ZipLimits } from "../zip/zip-limits.js";
import { zipSink } from "../zip/zip-sink.js";
import { openZipSource } from "../zip/zip-source.js";
import { openFolderSink } from "./folder-sink.js";
import { openFolderSource } from "./folder-source.js";
import { fileAccess, zipFileOutput } from "./zip-file.js";

const isZip = (path: string) => /\.zip$/i.test(path);

/** A sink for a path: a zip file when it ends in `.zip`, else a folder. */
export async function openPathSink(path: string): Promise<BundleSink> {
  if (!isZip(path)) return openFolderSink(path);
  const { out, rootUri } = await zipFileOutput(path);
  return zipSink(out, `zip ${resolve(path)}`, rootUri);
}

/** A source for a path: a zip file when it ends in `.zip`, else a folder. */
export async function openPathSource(path: string, limits: Partial<ZipLimits>): Promise<OpenedBundle> {
  if (!isZip(path)) return openFolderSource(path);
  const access = await fileAccess(resolve(path));
  try {
    return await locateBundle(await openZipSource(access, resolve(path), limits));
  } catch (e) {
    await access.close?.();
    throw e;
  }
}
