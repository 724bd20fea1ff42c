/**
 * What export writes to and import reads from, whatever the medium: a folder (Node), a zip file
 * (Node or browser), a `FileSystemDirectoryHandle`, a dropped folder's file list, a `Blob`. Each
 * medium is one small adapter; export and import see only these two interfaces.
 *
 * Paths are bundle-relative, `/`-separated, built by layout.ts from validated ids and keys.
 *
 * @module
 */
import type { MetricHistory } from "../entities.js";
import { TrackerError } from "../errors.js";
import type { MetricColumnsOfKey } from "./metric-file.js";

/** What a directory listing holds. Symlinks and other special files are reported, never followed. */
export type EntryKind = "file" | "dir" | "symlink" | "other";

/** One entry of a listing. `size` is in bytes (0 for folders). */
export type SourceEntry = { name: string; kind: EntryKind; size: number };

/** A bundle to read. */
export interface BundleSource {
  /** Names the bundle in messages ("folder /data/mlruns", "zip bundle.zip"). */
  readonly label: string;
  /**
   * Entries directly inside folder `dir` ("" = the bundle root), sorted by name; [] when absent.
   * With `sizes: false` a source may report files' sizes as 0 (a folder source then skips one
   * `stat` per file, where only the names are needed).
   */
  list(dir: string, options?: { sizes?: boolean }): Promise<SourceEntry[]>;
  /** The bytes of a file; RESOURCE_DOES_NOT_EXIST when absent, RESOURCE_EXHAUSTED above `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
  /**
   * Optional: reads and parses metric files (metric-file.ts), e.g. on worker threads: the same
   * columns and the same errors as `read` then `parseMetricLines` (`checkMetricLines` with
   * `check`), in the order of `paths`.
   */
  readMetricFiles?(paths: string[], maxBytes: number, check?: boolean): Promise<MetricColumnsOfKey[]>;
  /**
   * Optional: the bytes of a small file read at once, on this thread, into `scratch.bytes`
   * (grown as needed; the result is a view of it, valid until the next call with it), or
   * undefined when the file is not small (then use `read`). Errors as `read`. A worker reading
   * a run's metric files one after another reuses one buffer instead of allocating one a file.
   */
  readNow?(path: string, maxBytes: number, scratch: { bytes: Uint8Array }): Uint8Array | undefined;
  /** A path on the local disk for `path`, when the bundle is a folder there (to copy artifacts without loading them). */
  localPath?(path: string): string | undefined;
  close(): Promise<void>;
}

/** A run's folders and files, handed to a sink in one call (see {@link BundleSink.writeBatch}). */
export type FileBatch = {
  /** Folders to create (with their parents), even when nothing goes into them. */
  dirs: string[];
  /** Files given as bytes. */
  files: { path: string; data: Uint8Array }[];
  /** Metric files given as points `from`…`to` of a history, for the sink to format (metric-file.ts). */
  metrics: { path: string; history: MetricHistory; from: number; to: number }[];
  /** Told the bytes of the metric files once they are formatted (before `commit()` resolves). */
  onFormatted?(bytes: number): void;
};

/** Somewhere to write a bundle. Nothing is visible at the destination before `commit()`. */
export interface BundleSink {
  readonly label: string;
  /** Absolute URI of the bundle root once committed (`file:///…/mlruns`), when the sink knows it. */
  readonly rootUri: string | undefined;
  /** Creates a folder (and its parents); folders must survive even when empty (§8.7). */
  mkdir(path: string): Promise<void>;
  /** Writes a new file from bytes or chunks (a file is written once). */
  writeFile(path: string, data: Uint8Array | readonly Uint8Array[]): Promise<void>;
  /**
   * Optional: writes a batch, formatting its metric files itself (on other threads, in Node). It
   * may return before the batch is written and may reorder files; a failure comes out of a later
   * call or `commit()`. The histories are copied before it returns. Without it, the exporter
   * formats on its own thread and writes file by file.
   */
  writeBatch?(batch: FileBatch): Promise<void>;
  /** Makes the bundle appear at its destination. */
  commit(): Promise<void>;
  /** Discards everything written (after a failure or cancellation). */
  abort(): Promise<void>;
}

/**
 * Refuses a bundle path that could leave the bundle: empty, `.` or `..` segments, a leading `/`,
 * a backslash, a drive letter or NUL. Sinks call it on every path as a second line of defence.
 */
export function assertSafePath(path: string, what = "path"): void {
  const bad =
    path.startsWith("/") ||
    /^[a-zA-Z]:/.test(path) ||
    path.includes("\\") ||
    path.includes("\0") ||
    path.split("/").some((s) => s === "" || s === "." || s === "..");
  if (bad) throw new TrackerError("INVALID_PARAMETER_VALUE", `Refusing unsafe ${what} ${JSON.stringify(path)}: it could point outside the bundle.`);
}

/** Total bytes of data (bytes or chunks). */
export function byteLength(data: Uint8Array | readonly Uint8Array[]): number {
  if (data instanceof Uint8Array) return data.length;
  let n = 0;
  for (const c of data) n += c.length;
  return n;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 bytes of a string. */
export function encodeText(s: string): Uint8Array {
  return utf8.encode(s);
}

/** Decodes UTF-8, naming `file` when the bytes are not UTF-8. */
export function decodeText(bytes: Uint8Array, file: string): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new TrackerError("INVALID_PARAMETER_VALUE", `Malformed bundle file ${file}: it is not UTF-8 text.`);
  }
}
