/**
 * Turns what the caller passed as an export target into a {@link BundleSink}: a path (Node: a
 * folder, or a file ending in `.zip`), a `WritableStream` (a zip), a `FileSystemDirectoryHandle`
 * (a folder), or a sink. Paths load the Node adapters on demand, so browsers and bundlers never
 * pull in `node:` modules unless a path is used.
 *
 * @module
 */
import { TrackerError } from "../errors.js";
import { directorySink } from "./browser/directory-handle.js";
import { streamSink } from "./browser/stream-target.js";
import { is, type DirectoryHandleLike, type WritableStreamLike } from "./browser/types.js";
import type { BundleSink } from "./io.js";

/** Where an export goes. */
export type ExportTarget = string | WritableStreamLike | DirectoryHandleLike | BundleSink;

function isSink(t: unknown): t is BundleSink {
  const s = t as Partial<BundleSink>;
  return typeof s === "object" && s !== null && typeof s.writeFile === "function" && typeof s.commit === "function";
}

/** Opens the sink for an export target; `threads` is for path targets (Node). */
export async function openSink(target: ExportTarget, artifactRoot?: string, threads?: number): Promise<BundleSink> {
  if (typeof target === "string") {
    const node = await import("./node/index.js");
    return node.openPathSink(target, threads);
  }
  if (isSink(target)) return target;
  if (is.directory(target)) return directorySink(target);
  if (is.writable(target)) return streamSink(target, artifactRoot);
  throw new TrackerError(
    "INVALID_PARAMETER_VALUE",
    `Unsupported export target ${Object.prototype.toString.call(target)}: pass a path, a WritableStream, a FileSystemDirectoryHandle or a bundle sink.`,
  );
}
