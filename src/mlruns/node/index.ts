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
import { nativeCrc32, type BundleSpec } from "./bundle-jobs.js";
import { poolFormatter, poolRunReader, ThreadPool, withPoolParsing } from "./thread-pool.js";
import { fileAccess, zipFileOutput } from "./zip-file.js";

const isZip = (path: string) => /\.zip$/i.test(path);

/** A sink for a path: a zip file when it ends in `.zip`, else a folder; `threads` format metric files (default: the cores, at most 4). */
export async function openPathSink(path: string, threads?: number): Promise<BundleSink> {
  if (!isZip(path)) return openFolderSink(path, threads);
  const { out, rootUri } = await zipFileOutput(path);
  const pool = ThreadPool.start(threads);
  if (!pool) return zipSink(out, `zip ${resolve(path)}`, rootUri);
  const formatter = poolFormatter(pool);
  return zipSink({ ...out, commit: () => pool.close().then(() => out.commit()), abort: () => pool.close().then(() => out.abort()) }, `zip ${resolve(path)}`, rootUri, { formatter, crc32: nativeCrc32 });
}

/** A source for a path: a zip file when it ends in `.zip`, else a folder; `threads` parse metric files (default: the cores, at most 4). */
export async function openPathSource(path: string, limits: Partial<ZipLimits>, threads?: number): Promise<OpenedBundle> {
  const opened = await openPathSourceHere(path, limits);
  const pool = ThreadPool.start(threads);
  if (!pool) return opened;
  const spec: BundleSpec = isZip(path) ? { zip: resolve(path), limits } : { folder: opened.source.localPath!("")! };
  const source = withPoolParsing(opened.source, pool);
  return { ...opened, source, readRun: poolRunReader(pool, spec, source, opened.mlartifacts) };
}

async function openPathSourceHere(path: string, limits: Partial<ZipLimits>): Promise<OpenedBundle> {
  if (!isZip(path)) return openFolderSource(path);
  const access = await fileAccess(resolve(path));
  try {
    return await locateBundle(await openZipSource(access, resolve(path), limits, nativeCrc32));
  } catch (e) {
    await access.close?.();
    throw e;
  }
}
