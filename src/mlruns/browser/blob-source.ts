/**
 * Zip bundles from a `Blob` or `File` (a download, a dropped .zip): random access through
 * `slice()`, so only the central directory and one entry at a time are ever in memory.
 *
 * @module
 */
import { locateBundle, type OpenedBundle } from "../source-layout.js";
import type { ZipLimits } from "../zip/zip-limits.js";
import type { RandomAccess } from "../zip/zip-reader.js";
import { openZipSource } from "../zip/zip-source.js";
import type { BlobLike } from "./types.js";

/** Random access to a Blob. */
export function blobAccess(blob: BlobLike): RandomAccess {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/** Opens a zip Blob as a bundle. */
export async function openBlobSource(blob: BlobLike, limits: Partial<ZipLimits>): Promise<OpenedBundle> {
  const name = (blob as { name?: unknown }).name;
  return locateBundle(await openZipSource(blobAccess(blob), typeof name === "string" ? name : `Blob of ${blob.size} bytes`, limits));
}
