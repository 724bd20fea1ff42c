/**
 * Opening a root: experiments, the run-summary snapshot, and every run folder, with repair of
 * whatever a crash or a careless hand left damaged. Rules:
 * - A damaged or missing file never makes the root unopenable; each is reported by name.
 * - What is intact is kept: a torn history tail loses only the torn frame; a damaged run.json is
 *   replaced by the snapshot's copy, else rebuilt from what the folder still holds.
 * - The snapshot is a cache: a run whose run.json or history changed since it was written is
 *   read from its own files, so a stale or damaged snapshot costs time, never data.
 *
 * @module
 */
import { mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, type Experiment, type RunInfo } from "../../entities.js";
import type { LatestPoint } from "../latest.js";
import { readJson, writeAtomic } from "./files.js";
import { throwFirst } from "../store.js";
import { recoverCompaction } from "./compact.js";
import { eachLimit } from "./queue.js";
import { readTail, scanHistory, type HistoryState } from "./history.js";

/** The in-memory summary of one run (what search and tables need). */
export type RunRecord = {
  info: RunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  latest: Map<string, LatestPoint>;
  history: HistoryState;
  /** mtime of run.json as last written or read; lets the snapshot be trusted for this run. */
  metaMtimeMs: number;
};

/** run.json: the run's own metadata. */
export type RunMeta = { info: RunInfo; params: Record<string, string>; tags: Record<string, string> };

type SnapshotRun = RunMeta & { latest: Record<string, [number, number, number | string]>; history: HistoryState; metaMtimeMs: number };
/** summary.json: every run's summary, so opening a root does not read every history. */
export type Snapshot = { format: "trackbook-summary"; version: 1; runs: Record<string, SnapshotRun> };

/** Paths inside a root. */
export const paths = {
  experiments: (root: string) => join(root, "experiments"),
  experiment: (root: string, id: string) => join(root, "experiments", `${id}.json`),
  runs: (root: string) => join(root, "runs"),
  run: (root: string, runId: string) => join(root, "runs", runId),
  runMeta: (root: string, runId: string) => join(root, "runs", runId, "run.json"),
  history: (root: string, runId: string) => join(root, "runs", runId, "history.tbseg"),
  artifacts: (root: string, runId: string) => join(root, "runs", runId, "artifacts"),
  snapshot: (root: string) => join(root, "summary.json"),
  lock: (root: string) => join(root, ".lock"),
  journal: (root: string) => join(root, "journal"),
};

// JSON has no NaN/Infinity; latest values are written as numbers or as these strings.
const encodeNum = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const decodeNum = (v: number | string): number => (typeof v === "number" ? v : Number(v));

/** Serialises the summaries for summary.json. */
export function snapshotOf(runs: Iterable<RunRecord>): Snapshot {
  const out: Snapshot = { format: "trackbook-summary", version: 1, runs: {} };
  for (const r of runs) {
    const latest: SnapshotRun["latest"] = {};
    for (const [k, p] of r.latest) latest[k] = [p.step, p.timestamp, encodeNum(p.value)];
    out.runs[r.info.runId] = { info: r.info, params: r.params, tags: r.tags, latest, history: r.history, metaMtimeMs: r.metaMtimeMs };
  }
  return out;
}

/** What loading a root produced. */
export type Loaded = { experiments: Map<string, Experiment>; runs: Map<string, RunRecord> };

/**
 * Loads (and, for a writer, repairs) a root. `warn` is told about each damaged file. `caps`
 * (readers only) limits how much of some runs' histories is read (see redistribute.ts).
 */
export async function loadRoot(root: string, writer: boolean, warn: (m: string) => void, caps?: ReadonlyMap<string, number>): Promise<Loaded> {
  if (writer) {
    await mkdir(paths.experiments(root), { recursive: true });
    await mkdir(paths.runs(root), { recursive: true });
  }
  const experiments = await loadExperiments(root, writer, warn);
  const snap = await readJson<Snapshot>(paths.snapshot(root));
  if (!snap.ok && !snap.missing) warn(`${paths.snapshot(root)} is ${snap.reason}; rebuilding run summaries from the run folders.`);
  const cached = snap.ok ? cachedRuns(snap.value, paths.snapshot(root), warn) : {};
  // Whether summary.json no longer matches the root (damaged, stale, or runs gone): a writer
  // rewrites it, so the next open is fast again and stops warning.
  let outdated = !snap.ok && !snap.missing;
  let reused = 0;
  const runs = new Map<string, RunRecord>();
  const ids = (await listDir(paths.runs(root))).filter((id) => /^[0-9a-f]{32}$/.test(id));
  const cachedOf = (runId: string) => (Object.hasOwn(cached, runId) ? cached[runId] : undefined);
  // Runs load side by side (each is a few small file-system calls); warnings are told in folder order.
  const loadedRuns: { r: RunRecord; warnings: string[] }[] = new Array(ids.length);
  throwFirst(
    await eachLimit(ids.keys(), 16, async (i) => {
      const warnings: string[] = [];
      loadedRuns[i] = { r: await loadRun(root, ids[i]!, cachedOf(ids[i]!), writer, (m) => warnings.push(m), caps?.get(ids[i]!)), warnings };
    }),
  );
  for (let i = 0; i < ids.length; i++) {
    const runId = ids[i]!;
    const c = cachedOf(runId);
    const { r, warnings } = loadedRuns[i]!;
    for (const m of warnings) warn(m);
    runs.set(runId, r);
    if (c) reused++;
    const h = r.history;
    if (!c || c.metaMtimeMs !== r.metaMtimeMs || c.history.bytes !== h.bytes || c.history.ino !== h.ino || c.history.frames !== h.frames) outdated = true;
    if (!experiments.has(r.info.experimentId)) {
      const file = paths.experiment(root, r.info.experimentId);
      warn(`Run ${runId} belongs to experiment ${r.info.experimentId}, whose file ${file} is missing or damaged; recreating it as 'recovered-${r.info.experimentId}'.`);
      experiments.set(r.info.experimentId, recoveredExperiment(root, r.info.experimentId));
      if (writer) await writeAtomic(file, JSON.stringify(experiments.get(r.info.experimentId)));
    }
  }
  if (reused !== Object.keys(cached).length) outdated = true;
  if (writer && outdated) {
    await writeAtomic(paths.snapshot(root), JSON.stringify(snapshotOf(runs.values()))).catch((e: Error) =>
      warn(`could not rewrite ${paths.snapshot(root)} (it stays a stale cache): ${e.message}`),
    );
  }
  return { experiments, runs };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === "number";

/** A snapshot entry of the shape snapshotOf writes (enough of it to be used safely). */
function isSnapshotRun(runId: string, r: unknown): r is SnapshotRun {
  if (!isObject(r) || !isObject(r.info) || r.info.runId !== runId || !isObject(r.params) || !isObject(r.tags)) return false;
  if (!isObject(r.history) || !isNumber(r.history.bytes) || !isNumber(r.history.frames) || !isNumber(r.history.ino) || !isNumber(r.metaMtimeMs)) return false;
  if (!isObject(r.latest)) return false;
  return Object.values(r.latest).every((p) => Array.isArray(p) && p.length === 3 && isNumber(p[0]) && isNumber(p[1]) && (isNumber(p[2]) || typeof p[2] === "string"));
}

/** The usable run entries of summary.json; entries of another shape are left out and reported. */
function cachedRuns(value: unknown, path: string, warn: (m: string) => void): Record<string, SnapshotRun> {
  const out: Record<string, SnapshotRun> = {};
  if (!isObject(value) || value.format !== "trackbook-summary" || !isObject(value.runs)) {
    warn(`${path} is not a run summary; rebuilding run summaries from the run folders.`);
    return out;
  }
  let bad = 0;
  for (const [runId, r] of Object.entries(value.runs)) {
    if (isSnapshotRun(runId, r)) out[runId] = r;
    else bad++;
  }
  if (bad > 0) warn(`${path} has ${bad} unreadable run entries; rebuilding those from their run folders.`);
  return out;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

function recoveredExperiment(root: string, id: string): Experiment {
  const now = Date.now();
  const name = id === DEFAULT_EXPERIMENT_ID ? DEFAULT_EXPERIMENT_NAME : `recovered-${id}`;
  return { experimentId: id, name, artifactLocation: `file://${paths.runs(root)}`, lifecycleStage: "active", creationTime: now, lastUpdateTime: now, tags: {} };
}

async function loadExperiments(root: string, writer: boolean, warn: (m: string) => void): Promise<Map<string, Experiment>> {
  const out = new Map<string, Experiment>();
  for (const name of await listDir(paths.experiments(root))) {
    const m = /^(0|[1-9][0-9]*)\.json$/.exec(name);
    if (!m) continue;
    const read = await readJson<Experiment>(join(paths.experiments(root), name));
    if (read.ok && read.value?.experimentId === m[1] && typeof read.value.name === "string") out.set(m[1]!, read.value);
    else if (!read.ok) warn(`${join(paths.experiments(root), name)} is ${read.reason}; its runs are kept under a recovered experiment.`);
  }
  if (!out.has(DEFAULT_EXPERIMENT_ID)) {
    out.set(DEFAULT_EXPERIMENT_ID, recoveredExperiment(root, DEFAULT_EXPERIMENT_ID));
    if (writer) await writeAtomic(paths.experiment(root, DEFAULT_EXPERIMENT_ID), JSON.stringify(out.get(DEFAULT_EXPERIMENT_ID)));
  }
  return out;
}

async function mtimeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return -1;
  }
}

async function loadRun(root: string, runId: string, cached: SnapshotRun | undefined, writer: boolean, warn: (m: string) => void, cap?: number): Promise<RunRecord> {
  const metaPath = paths.runMeta(root, runId);
  let metaMtimeMs = await mtimeOf(metaPath);
  let meta: RunMeta | undefined = cached && cached.metaMtimeMs === metaMtimeMs ? cached : undefined;
  if (!meta) {
    const read = await readJson<RunMeta>(metaPath);
    if (read.ok && read.value?.info?.runId === runId) meta = read.value;
    else {
      const why = read.ok ? "not a run record" : read.reason;
      meta = cached ?? rebuiltMeta(runId, why);
      warn(`${metaPath} is ${why}; ${cached ? "restored it from summary.json" : "rebuilt the run from its folder (experiment 0, status FAILED)"}.`);
      if (writer) {
        await writeAtomic(metaPath, JSON.stringify({ info: meta.info, params: meta.params, tags: meta.tags }));
        metaMtimeMs = await mtimeOf(metaPath);
      }
    }
  }
  const latest = new Map<string, LatestPoint>();
  const histPath = paths.history(root, runId);
  let from = 0;
  let frames = 0;
  let smallFrames = 0;
  let compactFrom = -1;
  if (writer) {
    const note = await recoverCompaction(histPath);
    if (note) warn(note);
  }
  if (cached) {
    const st = await stat(histPath).catch(() => undefined);
    // The cached latest values hold for the first `bytes` of the same file (same inode, and the
    // same last frame there: compaction rewrites a file in place).
    if (st && st.ino === cached.history.ino && Math.min(st.size, cap ?? Infinity) >= cached.history.bytes && (await sameTail(histPath, cached.history))) {
      for (const [k, [step, ts, v]] of Object.entries(cached.latest)) latest.set(k, { step, timestamp: ts, value: decodeNum(v) });
      from = cached.history.bytes;
      frames = cached.history.frames;
      smallFrames = cached.history.smallFrames ?? 0;
      if (smallFrames > 0) compactFrom = cached.history.compactFrom ?? 0;
    }
  }
  // A writer cuts a damaged tail off, but never on the word of the snapshot alone: its offset
  // is a hint, and after a rewrite (compaction renames a new file into place, and file systems
  // reuse inode numbers) it can point into the middle of a frame. Damage found past it is
  // confirmed by a scan from the start, which alone decides what is kept.
  let { scan, ino } = await scanHistory(histPath, latest, from, writer && from === 0, cap);
  if (scan.damage && from > 0) {
    latest.clear();
    from = 0;
    frames = 0;
    smallFrames = 0;
    compactFrom = -1;
    ({ scan, ino } = await scanHistory(histPath, latest, 0, writer, cap));
  }
  if (scan.damage) warn(`${histPath}: ${scan.damage}; ${writer ? "cut off the damaged tail" : "ignoring the damaged tail"}, ${scan.validBytes} intact bytes kept.`);
  return {
    info: meta.info,
    params: meta.params,
    tags: meta.tags,
    latest,
    history: {
      bytes: scan.validBytes,
      frames: frames + scan.frames,
      smallFrames: smallFrames + scan.smallFrames,
      ino,
      compactFrom: compactFrom >= 0 ? compactFrom : scan.smallFrames > 0 ? scan.firstSmallAt : scan.validBytes,
      ...(scan.lastCrc !== undefined ? { tailCrc: scan.lastCrc } : cachedTail(cached, from)),
    },
    metaMtimeMs,
  };
}

/** True when the 4 bytes before `h.bytes` are still the CRC the snapshot saw there. */
async function sameTail(path: string, h: HistoryState): Promise<boolean> {
  if (h.bytes === 0) return true;
  // Snapshots from before tailCrc existed cannot tell; those versions never compacted in place.
  if (h.tailCrc === undefined) return true;
  const tail = await readTail(path, h.bytes - 4, 4).catch(() => new Uint8Array(0));
  return tail.length === 4 && new DataView(tail.buffer, tail.byteOffset).getUint32(0, true) === h.tailCrc;
}

function cachedTail(cached: SnapshotRun | undefined, from: number): { tailCrc?: number } {
  return from > 0 && cached?.history.tailCrc !== undefined ? { tailCrc: cached.history.tailCrc } : {};
}

function rebuiltMeta(runId: string, why: string): RunMeta {
  return {
    info: {
      runId,
      runName: `recovered-${runId.slice(0, 8)}`,
      experimentId: DEFAULT_EXPERIMENT_ID,
      userId: "",
      status: "FAILED",
      startTime: 0,
      endTime: null,
      artifactUri: "",
      lifecycleStage: "active",
    },
    params: {},
    tags: { "trackbook.recovered": `run.json was ${why}` },
  };
}
