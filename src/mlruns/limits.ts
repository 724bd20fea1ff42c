/**
 * Size limits of reads from a bundle. They keep a hostile or broken bundle from exhausting memory;
 * each is far above what MLflow itself writes (a param value is at most 6000 characters, a run
 * tag 8000, so 64 KiB of UTF-8 holds any valid one).
 *
 * @module
 */

/** Largest file of each kind the importer reads. */
export const READ_LIMITS = {
  /** meta.yaml files: a few hundred bytes from MLflow. */
  metaBytes: 1 << 20,
  /** One param or tag value. */
  valueBytes: 64 << 10,
  /** One metric file (about 10M points of text; V8 strings stop near 512 MiB). */
  metricFileBytes: 384 << 20,
  /** One artifact file read into memory (folder sources on a store that copies files skip this). */
  artifactBytes: 2 ** 31 - 1,
} as const;
