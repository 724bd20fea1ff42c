/**
 * The browser objects bundles come from and go to, typed structurally: the main tsconfig has no
 * DOM lib (the package also runs in Node and workers), so these name only the members used. Real
 * `Blob`, `File`, `FileSystemDirectoryHandle` and `WritableStream` objects fit them, and so do
 * Node's own `Blob`, `File` and `WritableStream`.
 *
 * @module
 */

/** A `Blob` (or `File`): bytes with random access through `slice`. */
export type BlobLike = {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
  arrayBuffer(): Promise<ArrayBuffer>;
};

/** A `File` from `<input webkitdirectory>` or a dropped folder: its path inside the folder. */
export type FileLike = BlobLike & { readonly name: string; readonly webkitRelativePath: string };

/** A `FileSystemFileHandle`. */
export type FileHandleLike = {
  readonly kind: "file";
  readonly name: string;
  getFile(): Promise<BlobLike>;
  createWritable?(): Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void> }>;
};

/** A `FileSystemDirectoryHandle` (File System Access API / OPFS). */
export type DirectoryHandleLike = {
  readonly kind: "directory";
  readonly name: string;
  values(): AsyncIterable<FileHandleLike | DirectoryHandleLike>;
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<DirectoryHandleLike>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FileHandleLike>;
  removeEntry?(name: string, options?: { recursive?: boolean }): Promise<void>;
};

/** A `WritableStream<Uint8Array>` (for example `FileSystemFileHandle.createWritable()`, or a TransformStream's writable side). */
export type WritableStreamLike = {
  getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void>; abort(reason?: unknown): Promise<void>; releaseLock(): void };
};

/** Type guards (structural). */
export const is = {
  blob: (v: unknown): v is BlobLike => typeof v === "object" && v !== null && typeof (v as BlobLike).slice === "function" && typeof (v as BlobLike).size === "number" && typeof (v as BlobLike).arrayBuffer === "function",
  directory: (v: unknown): v is DirectoryHandleLike => typeof v === "object" && v !== null && (v as DirectoryHandleLike).kind === "directory" && typeof (v as DirectoryHandleLike).getDirectoryHandle === "function",
  fileList: (v: unknown): v is ArrayLike<FileLike> =>
    typeof v === "object" && v !== null && typeof (v as ArrayLike<unknown>).length === "number" && !is.blob(v) && Array.from(v as ArrayLike<unknown>).every((f) => is.blob(f) && typeof (f as FileLike).webkitRelativePath === "string"),
  writable: (v: unknown): v is WritableStreamLike => typeof v === "object" && v !== null && typeof (v as WritableStreamLike).getWriter === "function",
};
