/**
 * The IndexedDB layout, typed once (idb's `DBSchema`), and its upgrade path.
 *
 * Stores:
 *   experiments  Experiment by id; unique index `name` (MLflow: names are unique, deleted included)
 *   runs         the run summary a run table needs (info, params, tags, latest metric per key);
 *                indexes `experimentId` and `newest` ([experimentId, lifecycleStage, -startTime], v2)
 *   chunks       metric history: one record = up to {@link CHUNK_POINTS} points of one key as
 *                typed arrays (columns.ts), keyed `[runId, key, chunkNo]`; chunk numbers ascend in
 *                logging order
 *   series       per `[runId, key]`: the next chunk number and the chunks still open to merging (v2)
 *   summaries    per chunk of at least a few thousand points: a few of its points, from which a
 *                chart of a long history is cut (summaries.ts), keyed like the chunk (v3)
 *   artifacts    one file each as a Blob, keyed `[runId, path]`
 *   models, registry, modelArtifacts
 *                logged models, the model registry and the models' files (models.ts; v4)
 *
 * Versions are stepped through in order, so a database of any earlier version is brought up to
 * date in one `versionchange` transaction: v1 created the first four stores; v2 added `series`,
 * built from the chunk keys, so a flush reads one small record per key instead of walking chunks,
 * and the `newest` index, so a run table opens on its newest runs without reading them all; v3
 * added `summaries` (chunks written before have none and are read whole, which stays correct);
 * v4 added the three model stores (empty).
 *
 * @module
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from "idb";
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, type Experiment, type RunInfo } from "../../entities.js";
import type { LoggedModel } from "../../models.js";
import type { LatestPoint } from "../latest.js";
import type { RegistryData } from "../model-catalog.js";
import type { StepColumn, TimeColumn } from "./columns.js";
import type { SummaryRow } from "./summaries.js";

/** The schema version this code writes. */
export const SCHEMA_VERSION = 4;

/**
 * Points per chunk record at most. Reading a history costs Chromium a large fixed amount per
 * record, more than per byte: measured here (Chromium 150, 1M points at 12 bytes each, median of
 * 15 cold reads) 184 ms in records of 5,000 points (under the 64 KiB above which Chromium keeps a
 * value in a file of its own), 184 ms in records of 8,192, 111 ms of 16,384, 87 ms of 32,768,
 * 81 ms of 65,536. Writing is faster in large records too (1M points took ~3× longer in 4,096-point
 * records than in 8,192-point ones). 32,768 takes most of the gain while a merge rewrites at most
 * ~400 KB.
 */
export const CHUNK_POINTS = 32_768;

/** A run as the `runs` store keeps it. */
export type RunRow = {
  info: RunInfo;
  /**
   * `-info.startTime`: the `newest` index sorts on it, so reading forward gives MLflow's base
   * order (newest first, then run id: the primary key breaks ties). Set at creation (v2).
   */
  newest: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Latest point per metric key (see latest.ts). */
  latest: Record<string, LatestPoint>;
};

/** Points of one key: values as float64, steps and timestamps as columns.ts encodes them. */
export type ChunkRow = { runId: string; key: string; chunkNo: number; values: Float64Array; steps: StepColumn; timestamps: TimeColumn };

/** A chunk still open to merging: its number and length. */
export type OpenChunk = [chunkNo: number, length: number];

/**
 * Where one key's history continues: the next chunk number and the open chunks, oldest first;
 * and whether its steps never went down, with the last step (v3; absent on series begun
 * before, which are read as if their steps might go down).
 */
export type SeriesRow = { runId: string; key: string; next: number; open: OpenChunk[]; ascending?: boolean; lastStep?: number };

/** One artifact file. */
export type ArtifactRow = { runId: string; path: string; size: number; blob: Blob };

/** One file of a logged model. */
export type ModelArtifactRow = { modelId: string; path: string; size: number; blob: Blob };

/** The whole database, for idb's typed transactions. */
export interface TrackbookDB extends DBSchema {
  experiments: { key: string; value: Experiment; indexes: { name: string } };
  runs: { key: string; value: RunRow; indexes: { experimentId: string; newest: [string, string, number] } };
  chunks: { key: [string, string, number]; value: ChunkRow };
  series: { key: [string, string]; value: SeriesRow };
  summaries: { key: [string, string, number]; value: SummaryRow; indexes: { last: [string, string, number] } };
  artifacts: { key: [string, string]; value: ArtifactRow };
  models: { key: string; value: LoggedModel };
  registry: { key: string; value: RegistryData };
  modelArtifacts: { key: [string, string]; value: ModelArtifactRow };
}

export type TrackbookIDB = IDBPDatabase<TrackbookDB>;
type UpgradeTx = IDBPTransaction<TrackbookDB, StoreNames<TrackbookDB>[], "versionchange">;

/** The artifact location of experiment `id` in database `dbName`. */
export function artifactLocation(dbName: string, id: string): string {
  return `idb:${dbName}/${id}`;
}

/**
 * Steps from version `i` to `i + 1`, in order. A step may read and write through `tx` only (the
 * upgrade transaction commits when it has no request left).
 */
const STEPS: ReadonlyArray<(db: TrackbookIDB, tx: UpgradeTx) => Promise<void>> = [
  async (db, tx) => {
    const experiments = db.createObjectStore("experiments", { keyPath: "experimentId" });
    experiments.createIndex("name", "name", { unique: true });
    db.createObjectStore("runs", { keyPath: "info.runId" }).createIndex("experimentId", "info.experimentId");
    db.createObjectStore("chunks", { keyPath: ["runId", "key", "chunkNo"] });
    db.createObjectStore("artifacts", { keyPath: ["runId", "path"] });
    const now = Date.now();
    await tx.objectStore("experiments").put({
      experimentId: DEFAULT_EXPERIMENT_ID,
      name: DEFAULT_EXPERIMENT_NAME,
      artifactLocation: artifactLocation(db.name, DEFAULT_EXPERIMENT_ID),
      lifecycleStage: "active",
      creationTime: now,
      lastUpdateTime: now,
      tags: {},
    });
  },
  async (db, tx) => {
    const runs = tx.objectStore("runs");
    for (let c = await runs.openCursor(); c; c = await c.continue()) await c.update({ ...c.value, newest: -c.value.info.startTime });
    runs.createIndex("newest", ["info.experimentId", "info.lifecycleStage", "newest"]);
    const series = db.createObjectStore("series", { keyPath: ["runId", "key"] });
    // Chunk keys sort by run, key, then chunk number: the last key seen per series is its end.
    // Existing chunks are all treated as sealed; new points start a chunk of their own.
    let last: [string, string, number] | undefined;
    const flush = () => (last ? series.put({ runId: last[0], key: last[1], next: last[2] + 1, open: [] }) : undefined);
    for (let c = await tx.objectStore("chunks").openKeyCursor(); c; c = await c.continue()) {
      const k = c.key;
      if (last && (last[0] !== k[0] || last[1] !== k[1])) await flush();
      last = k;
    }
    await flush();
  },
  async (db) => {
    // `last` finds the chunks a zoomed range reaches without reading the others (steps ascending).
    db.createObjectStore("summaries", { keyPath: ["runId", "key", "chunkNo"] }).createIndex("last", ["runId", "key", "last"]);
  },
  async (db) => {
    db.createObjectStore("models", { keyPath: "modelId" });
    db.createObjectStore("registry");
    db.createObjectStore("modelArtifacts", { keyPath: ["modelId", "path"] });
  },
];

/**
 * Brings the database from `oldVersion` to `newVersion` (at most {@link SCHEMA_VERSION}) inside
 * idb's `upgrade` callback. A failing step aborts the upgrade, which leaves the database as it was.
 */
export function upgrade(db: TrackbookIDB, oldVersion: number, newVersion: number, tx: UpgradeTx): void {
  void (async () => {
    for (let v = oldVersion; v < newVersion; v++) await STEPS[v]!(db, tx);
  })().catch(() => {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted: the open request reports the failure.
    }
  });
}
