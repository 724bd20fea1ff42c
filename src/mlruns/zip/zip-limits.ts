/**
 * Limits that refuse zip bombs before anything is decompressed: the central directory declares
 * every entry's sizes, so the total, the entry count and each entry's compression ratio are
 * checked up front; decompression then stops at the declared size (never trusting it).
 *
 * @module
 */

/** Limits of a zip bundle. */
export type ZipLimits = {
  /** Most entries (files and folders). Default 2,000,000 (10,000 runs of ~100 files each, twice over). */
  maxEntries: number;
  /** Most bytes all entries decompress to. Default 32 GiB. */
  maxTotalBytes: number;
  /** Highest ratio of decompressed to compressed size of one entry larger than 1 MiB. Default 1000 (deflate's ceiling is ~1032). */
  maxRatio: number;
};

/** The defaults. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 2_000_000, maxTotalBytes: 32 * 2 ** 30, maxRatio: 1000 };
