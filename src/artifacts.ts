/**
 * Artifact paths and payloads. A run's artifacts are files under the run's artifact root; the
 * path rules here keep every artifact inside it, on every store and every file system.
 *
 * @module
 */
import { invalidParameter } from "./errors.js";
import { describe } from "./validation.js";

/** A file or folder under a run's artifact root. */
export type ArtifactInfo = {
  /** Relative to the run's artifact root, `/`-separated. */
  path: string;
  isDir: boolean;
  /** Bytes; absent for folders. */
  fileSize?: number;
};

/**
 * What `logArtifact` accepts: bytes as they are, a string as UTF-8 text, `{ file: "<local path>" }`
 * to copy a local file (Node stores only), anything else as pretty-printed JSON.
 */
export type ArtifactData = Uint8Array | ArrayBuffer | string | number | boolean | null | LocalFile | object;

/** A file on the local disk, to be copied into the run's artifacts. */
export type LocalFile = { file: string };

/** True for `{ file: string }` (and nothing else), the local-file form of artifact data. */
export function isLocalFile(data: unknown): data is LocalFile {
  return typeof data === "object" && data !== null && Object.keys(data).length === 1 && typeof (data as LocalFile).file === "string";
}

/**
 * Throws INVALID_PARAMETER_VALUE unless `path` is a relative path that stays inside the run:
 * `/`-separated, no empty, `.` or `..` segment, no backslash, drive letter or NUL.
 */
export function validateArtifactPath(path: unknown, allowRoot = false): asserts path is string {
  if (typeof path !== "string") throw invalidParameter(`Invalid artifact path ${describe(path)}: expected a string.`);
  if (allowRoot && path === "") return;
  const bad =
    path === "" ||
    path.startsWith("/") ||
    /^[a-zA-Z]:/.test(path) ||
    path.includes("\\") ||
    path.includes("\0") ||
    path.split("/").some((s) => s === "" || s === "." || s === "..");
  if (bad) {
    throw invalidParameter(
      `Invalid artifact path ${describe(path)}: use a relative path inside the run such as "model/weights.bin" (no leading '/', no '..', '.', empty segments or backslashes).`,
    );
  }
}

/** Encodes artifact data as bytes (see {@link ArtifactData}). */
export function artifactBytes(data: ArtifactData): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === "string") return new TextEncoder().encode(data);
  const json = JSON.stringify(data, null, 2);
  if (json === undefined) throw invalidParameter(`Cannot log ${describe(data)} as an artifact: it has no JSON form.`);
  return new TextEncoder().encode(json);
}
