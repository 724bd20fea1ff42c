/**
 * One run held in full (info, params, tags, metric histories, artifact list), and how to write it
 * into a store through the {@link TrackingStore} interface only: the importer writes bundle runs
 * this way, checks them this way against a store that keeps nothing, and puts back a replaced run this
 * way when an import is undone.
 *
 * @module
 */
import type { MetricColumns, MetricHistory, RunInfo } from "../entities.js";
import type { BatchEntry, TrackingStore, WholeRun } from "../store/store.js";
import { LIMITS } from "../validation.js";

/** An artifact file of a run record; its bytes are read only when the run is written. */
export type RecordArtifact = {
  path: string;
  size: number;
  read(): Promise<Uint8Array>;
  /** A local file with the same bytes, for stores that copy files (`logArtifactFile`). */
  localPath?: string;
  /** Where it is in the bundle it was read from (so a run read on another thread can be given its `read` again). */
  bundlePath?: string;
};

/** A run with everything it holds. `info.artifactUri` is ignored when writing: the store decides. */
export type RunRecord = {
  info: Omit<RunInfo, "artifactUri">;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: MetricHistory[];
  artifacts: RecordArtifact[];
};

/** The store calls writing a run record makes. */
export type RunWriter = Pick<TrackingStore, "createRun" | "logBatch" | "logArtifact" | "updateRun" | "deleteRun"> & Partial<Pick<TrackingStore, "logArtifactFile" | "logBatches" | "putRuns">>;

/** What writing a record stored. */
export type WriteCounts = { params: number; tags: number; points: number; artifacts: number; artifactBytes: number };

/** A run record and the experiment it goes into. */
export type RecordTo = { record: RunRecord; experimentId: string };

/**
 * Writes run records as new runs, with their ids: through `putRuns` in one call where the store
 * has it (the Arrow store writes the runs' files at once), then each run's artifacts; else one
 * by one ({@link writeRunRecord}). A deleted run with artifacts is put active, given its
 * artifacts, then deleted (artifacts go only to active runs).
 */
export async function writeRunRecords(store: RunWriter, items: readonly RecordTo[]): Promise<WriteCounts[]> {
  if (!store.putRuns) {
    const out: WriteCounts[] = [];
    for (const { record, experimentId } of items) out.push(await writeRunRecord(store, record, experimentId));
    return out;
  }
  const counts: WriteCounts[] = [];
  const wholes: WholeRun[] = items.map(({ record, experimentId }) => {
    const metrics = packedColumns(record.metrics);
    const deleteAfter = record.info.lifecycleStage === "deleted" && record.artifacts.length > 0;
    counts.push({ params: Object.keys(record.params).length, tags: Object.keys(record.tags).length, points: metrics.values.length, artifacts: record.artifacts.length, artifactBytes: 0 });
    return { info: { ...record.info, experimentId, ...(deleteAfter ? { lifecycleStage: "active" as const } : {}) }, params: record.params, tags: record.tags, metrics };
  });
  await store.putRuns(wholes);
  for (let i = 0; i < items.length; i++) {
    const { record } = items[i]!;
    counts[i]!.artifactBytes = await writeArtifacts(store, record);
    if (record.info.lifecycleStage === "deleted" && record.artifacts.length > 0) await store.deleteRun(record.info.runId);
  }
  return counts;
}

async function writeArtifacts(store: RunWriter, record: RunRecord): Promise<number> {
  let bytes = 0;
  for (const a of record.artifacts) {
    if (a.localPath !== undefined && store.logArtifactFile) await store.logArtifactFile(record.info.runId, a.path, a.localPath);
    else await store.logArtifact(record.info.runId, a.path, await a.read());
    bytes += a.size;
  }
  return bytes;
}

/**
 * Writes `record` as a new run of experiment `experimentId` with the record's run id, in MLflow's
 * batch limits, then sets status and end time, then deletes it if it was deleted (writes go only
 * to active runs). `withArtifacts: false` is the checking mode: artifact paths are checked without
 * reading any bytes, and metric batches are views, not copies.
 */
export async function writeRunRecord(store: RunWriter, record: RunRecord, experimentId: string, withArtifacts = true): Promise<WriteCounts> {
  if (withArtifacts && store.putRuns) return (await writeRunRecords(store, [{ record, experimentId }]))[0]!;
  const { info } = record;
  await store.createRun({
    experimentId,
    runId: info.runId,
    userId: info.userId,
    startTime: info.startTime,
    tags: record.tags,
    ...(info.runName !== "" ? { runName: info.runName } : {}),
  });
  const params = Object.entries(record.params).map(([key, value]) => ({ key, value }));
  let points = 0;
  if (withArtifacts && store.logBatches) {
    // The whole run in one call, still in MLflow's batch limits per entry: a store with a bulk
    // path writes the run's metrics as one history append (the Arrow store) and a worker store
    // sends one message, where one call per 1000 points cost a write (and a round trip) each.
    const entries: BatchEntry[] = [];
    for (let i = 0; i < params.length; i += LIMITS.maxParamsPerBatch) entries.push({ runId: info.runId, batch: { params: params.slice(i, i + LIMITS.maxParamsPerBatch) } });
    for (const cols of packedBatches(record.metrics)) {
      points += cols.values.length;
      entries.push({ runId: info.runId, batch: { metrics: cols } });
    }
    if (entries.length > 0) await store.logBatches(entries);
  } else {
    for (let i = 0; i < params.length; i += LIMITS.maxParamsPerBatch) await store.logBatch(info.runId, { params: params.slice(i, i + LIMITS.maxParamsPerBatch) });
    for (const cols of withArtifacts ? metricBatches(record.metrics) : metricViews(record.metrics)) {
      points += cols.values.length; // counted first: a worker store takes the arrays (transfer) and leaves them empty
      await store.logBatch(info.runId, { metrics: cols });
    }
  }
  let artifactBytes = 0;
  if (withArtifacts) artifactBytes = await writeArtifacts(store, record);
  else for (const a of record.artifacts) await store.logArtifact(info.runId, a.path, new Uint8Array(0));
  if (info.status !== "RUNNING" || info.endTime !== null) await store.updateRun(info.runId, { status: info.status, endTime: info.endTime });
  if (info.lifecycleStage === "deleted") await store.deleteRun(info.runId);
  return { params: params.length, tags: Object.keys(record.tags).length, points, artifacts: record.artifacts.length, artifactBytes };
}

/** Metric histories regrouped into batches of at most 1000 points (several keys per batch). */
export function* metricBatches(histories: readonly MetricHistory[]): Generator<MetricColumns> {
  const max = LIMITS.maxMetricsPerBatch;
  let keys: string[] = [];
  let cols = emptyColumns(max);
  let n = 0;
  for (const h of histories) {
    let at = 0;
    while (at < h.values.length) {
      const take = Math.min(max - n, h.values.length - at);
      const keyId = keys.length;
      keys.push(h.key);
      cols.keyIds.fill(keyId, n, n + take);
      cols.values.set(h.values.subarray(at, at + take), n);
      cols.steps.set(h.steps.subarray(at, at + take), n);
      cols.timestamps.set(h.timestamps.subarray(at, at + take), n);
      n += take;
      at += take;
      if (n === max) {
        yield { ...cols, keys };
        keys = [];
        cols = emptyColumns(max);
        n = 0;
      }
    }
  }
  if (n > 0) yield { keys, keyIds: cols.keyIds.slice(0, n), values: cols.values.slice(0, n), steps: cols.steps.slice(0, n), timestamps: cols.timestamps.slice(0, n) };
}

/**
 * The run's points copied once into columns of their own, then cut into batches of at most 1000
 * points that are consecutive views of those columns sharing one key list: a store that joins
 * such batches (the Arrow store's toPoints) takes them as one run of points with no further
 * copy, where {@link metricBatches} makes four arrays per batch and the store copies them again.
 * For one call only: a store behind a worker moves the columns' buffers, once for all batches.
 */
export function packedBatches(histories: readonly MetricHistory[]): MetricColumns[] {
  const { keys, keyIds, values, steps, timestamps } = packedColumns(histories);
  const n = values.length;
  const max = LIMITS.maxMetricsPerBatch;
  const out: MetricColumns[] = [];
  for (let from = 0; from < n; from += max) {
    const to = Math.min(n, from + max);
    out.push({ keys, keyIds: keyIds.subarray(from, to), values: values.subarray(from, to), steps: steps.subarray(from, to), timestamps: timestamps.subarray(from, to) });
  }
  return out;
}

/**
 * The run's points in one block of columns, key by key (histories with no points left out):
 * views of the histories' own block when they are consecutive parts of one (as a bundle's runs
 * are read), else copied once.
 */
export function packedColumns(histories: readonly MetricHistory[]): MetricColumns {
  const kept = histories.filter((h) => h.values.length > 0);
  let n = 0;
  for (const h of kept) n += h.values.length;
  const keys = kept.map((h) => h.key);
  const keyIds = new Uint32Array(n);
  const block = oneBlock(kept, n);
  if (block) {
    let at = 0;
    kept.forEach((h, id) => {
      keyIds.fill(id, at, at + h.values.length);
      at += h.values.length;
    });
    return { keys, keyIds, ...block };
  }
  const values = new Float64Array(n);
  const steps = new Float64Array(n);
  const timestamps = new Float64Array(n);
  let at = 0;
  kept.forEach((h, id) => {
    keyIds.fill(id, at, at + h.values.length);
    values.set(h.values, at);
    steps.set(h.steps, at);
    timestamps.set(h.timestamps, at);
    at += h.values.length;
  });
  return { keys, keyIds, values, steps, timestamps };
}

/** The histories' columns as views spanning them, when each column of each history directly follows the previous one's in the same buffer. */
function oneBlock(kept: readonly MetricHistory[], n: number): Pick<MetricColumns, "steps" | "values" | "timestamps"> | undefined {
  const first = kept[0];
  if (!first) return undefined;
  const out = { steps: first.steps, values: first.values, timestamps: first.timestamps };
  for (const c of ["steps", "values", "timestamps"] as const) {
    let end = first[c].byteOffset;
    for (const h of kept) {
      const a = h[c];
      if (a.buffer !== first[c].buffer || a.byteOffset !== end) return undefined;
      end += a.byteLength;
    }
    out[c] = new Float64Array(first[c].buffer, first[c].byteOffset, n);
  }
  return out;
}

const ZERO_IDS = new Uint32Array(1000);

/**
 * Batches of at most 1000 points that are views into the histories (one key each), for checking
 * only: a store behind a worker takes the arrays it is given (transfer), which would empty the
 * histories, so real writes get copies from {@link metricBatches}.
 */
function* metricViews(histories: readonly MetricHistory[]): Generator<MetricColumns> {
  const max = LIMITS.maxMetricsPerBatch;
  for (const h of histories) {
    for (let at = 0; at < h.values.length; at += max) {
      const end = Math.min(h.values.length, at + max);
      yield { keys: [h.key], keyIds: ZERO_IDS.subarray(0, end - at), values: h.values.subarray(at, end), steps: h.steps.subarray(at, end), timestamps: h.timestamps.subarray(at, end) };
    }
  }
}

function emptyColumns(n: number): MetricColumns {
  return { keys: [], keyIds: new Uint32Array(n), values: new Float64Array(n), steps: new Float64Array(n), timestamps: new Float64Array(n) };
}
