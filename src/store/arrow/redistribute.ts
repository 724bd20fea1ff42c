/**
 * Moving the journal's points into the run histories (journal.ts), one generation at a time,
 * oldest first, in steps short enough to run between writes:
 *   1. prepare: read the generation, regroup its points by run, and write (durably) the
 *      generation's *manifest* `journal/<generation>.redist`: each run's history length before;
 *   2. slices of many runs: append each run's points as one frame and mark the run done (reads
 *      then find those points in the history instead of the journal);
 *   3. once every generation is moved (or {@link MAX_MOVED} of them): fsync the histories they
 *      filled, a slice at a time, then retire them: remove each generation file, then its manifest.
 * fsyncing once for several generations matters: a run gets a frame from each generation it has
 * points in, and after 1,000 runs × 10M points (5 generations) one fsync per frame was 5,000 of
 * them, most of a move's time.
 *
 * Crash safety: a crash before 3 ends leaves the manifests and the generations; opening the root
 * cuts every run named in a manifest back to its length before (the oldest manifest's, which
 * comes first) ({@link recoverRedistributions}), which removes exactly the frames step 2 appended
 * (nothing else appends to a journal-owned run), and the generations are moved again. A crash
 * between the two removals of 3 leaves a manifest without its generation: that move had finished
 * and was fsynced, so only the manifest goes. A reader opening the root meanwhile reads those runs
 * only up to their length before ({@link redistributionCaps}).
 *
 * @module
 */
import { open, readdir, rm, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { ioError, readJson, syncFile, writeAtomic, type HandleCache } from "./files.js";
import { syncFolder, type Generation, type Journal } from "./journal.js";
import { regroup, walkRecords, type JournalRecord, type RegroupScratch } from "./journal-file.js";
import { paths, type RunRecord } from "./load.js";
import { eachLimit } from "./queue.js";
import type { Points } from "./segments.js";

/** Runs appended per step (appends only: ~0.2 ms each). */
const SLICE_RUNS = 64;
/** Histories fsynced per step, and at once. */
const SYNC_SLICE = 64;
const SYNC_CONCURRENCY = 8;
/** Generations moved before their histories are fsynced and they are retired, even if more wait. */
const MAX_MOVED = 8;

const MANIFEST = /^(\d{8})\.redist$/;
type Manifest = { format: "trackbook-redistribution"; generation: number; runs: Record<string, number> };

const manifestPath = (dir: string, no: number) => join(dir, `${String(no).padStart(8, "0")}.redist`);

/** What redistributing needs from the store. */
export type RedistributionTarget = {
  root: string;
  journal: Journal;
  handles: HandleCache;
  /** The run's record, or undefined when it is gone (purged). */
  run(runId: string): RunRecord | undefined;
  /**
   * Appends points to the run's history as one frame and updates its record, calling `done` in
   * the same step; leaves the file as it was on failure.
   */
  append(runId: string, r: RunRecord, points: Points, done: () => void): Promise<void>;
};

/** Redistributes a store's journal step by step (see the module comment). */
export class Redistributor {
  /** The generation being appended to the histories. */
  private work: { g: Generation; perRun: Map<string, Points>; todo: string[]; failed: Map<string, unknown> } | undefined;
  /** Generations whose points are all appended, waiting for their histories' fsync and retirement. */
  private readonly moved: Generation[] = [];
  /** Histories appended to and not yet fsynced. */
  private readonly dirty = new Set<string>();
  private readonly manifests = new Set<number>();
  /** Reading and regrouping space, reused from one generation to the next while the journal holds any. */
  private scratch: (RegroupScratch & { read?: Uint8Array }) | undefined;

  constructor(private readonly t: RedistributionTarget) {}

  /** True while there is a generation to redistribute. */
  get pending(): boolean {
    return this.t.journal.gens.length > 0;
  }

  /**
   * Does one step; resolves with the runs of the generations it retired (whose histories may now
   * be compacted), else an empty list. Rejects when some run's points could not be moved or
   * fsynced; they stay in the journal, and the next step goes on with what is left to do.
   */
  async step(): Promise<string[]> {
    const w = this.work;
    if (w && w.todo.length > 0) {
      const slice = w.todo.splice(0, SLICE_RUNS);
      await eachLimit(slice, 4, async (runId) => {
        try {
          await this.move(w.g, runId, w.perRun.get(runId)!);
        } catch (e) {
          w.failed.set(runId, e);
        }
      });
      return [];
    }
    if (w) {
      this.work = undefined;
      if (w.failed.size > 0) {
        const [runId, e] = w.failed.entries().next().value as [string, unknown];
        throw new Error(`could not move the journal points of ${w.failed.size} run(s) to their histories (run ${runId}: ${(e as Error)?.message ?? String(e)}); they stay in ${w.g.path}`);
      }
      this.moved.push(w.g);
      return [];
    }
    const next = this.t.journal.gens[this.moved.length];
    if (next && this.moved.length < MAX_MOVED) {
      await this.prepare(next);
      return [];
    }
    if (this.dirty.size > 0) {
      const slice = [...this.dirty].slice(0, SYNC_SLICE);
      const errors = await eachLimit(slice, SYNC_CONCURRENCY, async (runId) => {
        await syncFile(paths.history(this.t.root, runId), this.t.handles);
        this.dirty.delete(runId);
      });
      if (errors.length > 0) throw ioError("sync the histories filled from", this.t.journal.dir, errors[0]);
      return [];
    }
    const retired = new Set<string>();
    while (this.moved.length > 0) {
      const g = this.moved.shift()!;
      await this.t.journal.retire(g);
      const m = manifestPath(this.t.journal.dir, g.no);
      await rm(m, { force: true }).catch((e) => { throw ioError("remove", m, e); });
      this.manifests.delete(g.no);
      for (const runId of g.runs.keys()) retired.add(runId);
    }
    if (this.t.journal.gens.length === 0) this.scratch = undefined;
    return [...retired];
  }

  /** Redistributes every generation now; the runs of retired generations are handed to `retired`. */
  async drain(retired: (runIds: string[]) => void): Promise<void> {
    while (this.pending) retired(await this.step());
  }

  private async prepare(g: Generation): Promise<void> {
    g.sealed = true;
    const records: JournalRecord[] = [];
    const scratch = (this.scratch ??= {});
    const bytes = await readPrefix(g.path, g.bytes, scratch);
    const scan = walkRecords(bytes, (r) => records.push(r), false);
    if (scan.damage !== undefined) throw ioError("read", g.path, new Error(scan.damage));
    const runs = [...g.runs.keys()].filter((id) => !g.done.has(id) && this.t.run(id) !== undefined);
    const perRun = regroup(records, runs, scratch);
    if (!this.manifests.has(g.no)) {
      const manifest: Manifest = { format: "trackbook-redistribution", generation: g.no, runs: {} };
      for (const id of runs) manifest.runs[id] = this.t.run(id)!.history.bytes;
      await writeAtomic(manifestPath(this.t.journal.dir, g.no), JSON.stringify(manifest));
      this.manifests.add(g.no);
      // The manifest's directory entry must be durable before any history changes.
      await syncFolder(this.t.journal.dir);
    }
    this.work = { g, perRun, todo: runs, failed: new Map() };
  }

  private async move(g: Generation, runId: string, points: Points): Promise<void> {
    const r = this.t.run(runId);
    if (!r) return void g.done.add(runId);
    await this.t.append(runId, r, points, () => g.done.add(runId));
    this.dirty.add(runId);
  }
}

/** Reads the first `length` bytes of a file into `scratch.read` (grown as needed: fresh memory is slow to touch). */
async function readPrefix(path: string, length: number, scratch: RegroupScratch & { read?: Uint8Array }): Promise<Uint8Array> {
  const fh = await open(path, "r").catch((e) => { throw ioError("read", path, e); });
  try {
    if ((scratch.read?.length ?? -1) < length) scratch.read = new Uint8Array(length);
    const buf = scratch.read!.subarray(0, length);
    for (let got = 0; got < length; ) {
      const { bytesRead } = await fh.read(buf, got, length - got, got);
      if (bytesRead === 0) throw ioError("read", path, new Error(`the file ends at byte ${got}, before byte ${length}`));
      got += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

async function readManifests(dir: string, warn: (m: string) => void): Promise<{ no: number; path: string; manifest: Manifest | undefined }[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => MANIFEST.test(n)).sort();
  const out = [];
  for (const name of names) {
    const path = join(dir, name);
    const read = await readJson<Manifest>(path);
    const ok = read.ok && read.value?.format === "trackbook-redistribution" && typeof read.value.runs === "object" && read.value.runs !== null;
    if (!ok) warn(`${path} is ${read.ok ? "not a redistribution manifest" : read.reason}; its runs may repeat points the journal also holds.`);
    out.push({ no: Number(MANIFEST.exec(name)![1]), path, manifest: ok ? read.value : undefined });
  }
  return out;
}

const exists = (path: string) => stat(path).then(() => true, () => false);
const genPath = (dir: string, no: number) => join(dir, `${String(no).padStart(8, "0")}.tbj`);

/**
 * Undoes, at a writer's open, the redistributions a crash interrupted (see the module comment).
 * Runs before the run histories are read.
 */
export async function recoverRedistributions(root: string, warn: (m: string) => void): Promise<void> {
  const dir = paths.journal(root);
  for (const { no, path, manifest } of await readManifests(dir, warn)) {
    if (manifest && (await exists(genPath(dir, no)))) {
      let cut = 0;
      for (const [runId, before] of Object.entries(manifest.runs)) {
        if (!/^[0-9a-f]{32}$/.test(runId) || typeof before !== "number") continue;
        const hist = paths.history(root, runId);
        const size = await stat(hist).then((s) => s.size, () => -1);
        if (size <= before) continue;
        await truncate(hist, before).catch((e) => { throw ioError("repair", hist, e); });
        await syncFile(hist);
        cut++;
      }
      warn(`${path}: a redistribution of the journal was interrupted; cut ${cut} run histories back to where it began (the journal still holds their points).`);
    }
    await rm(path, { force: true }).catch((e) => { throw ioError("remove", path, e); });
  }
}

/**
 * For a reader: the runs a redistribution in progress is appending to, with their length before
 * it began (what the reader reads of them; the rest it reads from the journal).
 */
export async function redistributionCaps(root: string): Promise<Map<string, number>> {
  const dir = paths.journal(root);
  const caps = new Map<string, number>();
  for (const { no, manifest } of await readManifests(dir, () => undefined)) {
    if (!manifest || !(await exists(genPath(dir, no)))) continue;
    // The oldest manifest's length comes first (later ones start after its frames).
    for (const [runId, before] of Object.entries(manifest.runs)) if (typeof before === "number") caps.set(runId, Math.min(caps.get(runId) ?? Infinity, before));
  }
  return caps;
}
