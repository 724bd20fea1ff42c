/**
 * Turns what the caller passed as an import source into a {@link BundleSource}: a path (Node: a
 * folder, or a file ending in `.zip`), a zip `Blob`/`File`, a `FileSystemDirectoryHandle`, a
 * dropped folder's `File` list, or an already opened source.
 *
 * @module
 */
import { TrackerError } from "../errors.js";
import { openBlobSource } from "./browser/blob-source.js";
import { openDirectorySource } from "./browser/directory-handle.js";
import { openFileListSource } from "./browser/file-list-source.js";
import { is, type BlobLike, type DirectoryHandleLike, type FileLike } from "./browser/types.js";
import type { BundleSource } from "./io.js";
import { locateBundle, type OpenedBundle } from "./source-layout.js";
import type { ZipLimits } from "./zip/zip-limits.js";

/** Where an import reads from. */
export type ImportSource = string | BlobLike | DirectoryHandleLike | ArrayLike<FileLike> | BundleSource;

function isSource(s: unknown): s is BundleSource {
  const b = s as Partial<BundleSource>;
  return typeof b === "object" && b !== null && typeof b.list === "function" && typeof b.read === "function";
}

/** Opens an import source; `threads` is for path sources (Node). */
export async function openSource(source: ImportSource, limits: Partial<ZipLimits>, threads?: number): Promise<OpenedBundle> {
  if (typeof source === "string") {
    const node = await import("./node/index.js");
    return node.openPathSource(source, limits, threads);
  }
  if (isSource(source)) return locateBundle(source);
  if (is.blob(source)) return openBlobSource(source, limits);
  if (is.directory(source)) return openDirectorySource(source);
  if (is.fileList(source)) return openFileListSource(source);
  throw new TrackerError(
    "INVALID_PARAMETER_VALUE",
    `Unsupported import source ${Object.prototype.toString.call(source)}: pass a path, a zip Blob or File, a FileSystemDirectoryHandle, or the files of a dropped folder.`,
  );
}
