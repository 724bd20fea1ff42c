/**
 * `trackbook/mlruns`: export a tracker's runs as an mlruns bundle MLflow opens, and import
 * bundles MLflow 1.x–3.x (or trackbook) wrote. Folder or zip (ZIP64 when needed) in Node; zip
 * Blobs, directory handles and dropped folders in browsers.
 *
 * @module
 */
export { exportMlruns } from "./export.js";
export type { ExportOptions, ExportResult, StoreHolder } from "./export.js";
export type { ExportSelection } from "./export-selection.js";
export { DEFAULT_MEMORY_BUDGET, importMlruns } from "./import.js";
export type { ImportOptions, ImportResult } from "./import.js";
export type { ImportCounts } from "./import-apply.js";
export type { ConflictPolicy } from "./import-plan.js";
export type { Skipped } from "./import-scan.js";
export type { BundleSink, BundleSource, EntryKind, SourceEntry } from "./io.js";
export type { Phase, Progress, ProgressOptions } from "./progress.js";
export type { ExportTarget } from "./targets.js";
export type { ImportSource } from "./sources.js";
export type { ZipLimits } from "./zip/zip-limits.js";
export type { BlobLike, DirectoryHandleLike, FileHandleLike, FileLike, WritableStreamLike } from "./browser/types.js";
export { DEFAULT_ZIP_LIMITS } from "./zip/zip-limits.js";
