/**
 * The shared journal: a write that touches many runs (1,000 runs logging side by side) appends
 * ONE record with all their points to `journal/<generation>.tbj`, instead of one frame to each
 * run's history. The points reach the run histories later, in the background, when writes pause
 * (redistribute.ts); until then reads add a run's journal points to what its history holds.
 *
 * Why: such a write used to cost, per run, a regroup of its points, an Arrow frame, an append and
 * (at the first flush) the creation of its history file, and `flush()` then fsynced 1,000 files.
 * A journal record is the client's columns written as they are, and `flush()` fsyncs one file.
 *
 * Rules:
 * - A run with points in any generation not yet retired is *journal-owned*: all its later points
 *   go to the journal too, and nothing else touches its history file (no direct append, no
 *   compaction), so its points reach the history in logging order and a redistribution that a
 *   crash interrupted can be undone by cutting the history back (redistribute.ts).
 * - Generations are redistributed and retired oldest first. A generation stops taking records
 *   once it holds {@link GENERATION_BYTES} (or when its redistribution starts); the next record
 *   starts a new one.
 * - A torn or damaged record ends the journal: it and everything after it are ignored (a writer
 *   removes them), as a torn history frame is.
 *
 * @module
 */
import { mkdir, open, readdir, rm, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { MetricHistory } from "../../entities.js";
import { appendAt, ioError, type HandleCache } from "./files.js";
import { encodeRecord, idsInRange, presentRuns, regroup, walkRecords, type JournalRecord } from "./journal-file.js";
import { updateLatest } from "./history.js";
import type { LatestPoint } from "../latest.js";

/** A generation stops taking records past this size (bounds what one redistribution holds in memory). */
export const GENERATION_BYTES = 64 << 20;
/** Points per record at most (32 bytes each: well within a record's u32 length). */
const RECORD_MAX_POINTS = 1 << 24;

/** A record cut into records of at most `max` points (views, not copies), each with the runs it holds points of. */
export function cut(r: JournalRecord, max = RECORD_MAX_POINTS): { r: JournalRecord; present: string[] }[] {
  const out = [];
  const p = r.points;
  for (let from = 0; from < p.values.length; from += max) {
    const to = Math.min(p.values.length, from + max);
    const piece: JournalRecord = {
      runs: r.runs,
      keys: r.keys,
      points: { runSlots: p.runSlots.subarray(from, to), keyIds: p.keyIds.subarray(from, to), steps: p.steps.subarray(from, to), values: p.values.subarray(from, to), timestamps: p.timestamps.subarray(from, to) },
    };
    out.push({ r: piece, present: presentRuns(piece) });
  }
  return out;
}

/** One journal file and what the store knows about it. */
export type Generation = {
  no: number;
  path: string;
  /** Intact length. */
  bytes: number;
  /** Where each record is. */
  records: { at: number; length: number }[];
  /** Runs with points here, with the indices of the records holding them. */
  runs: Map<string, number[]>;
  /** Runs whose points here are already in their history file. */
  done: Set<string>;
  /** Takes no more records. */
  sealed: boolean;
  /** Reads in flight (the file is not closed or removed under them). */
  readers: number;
  drained: (() => void) | undefined;
  reader: Promise<FileHandle> | undefined;
};

/** Called for every intact record found when a journal is opened, in order, with the runs it holds points of. */
export type OnRecord = (r: JournalRecord, present: string[]) => void;

const NAME = /^(\d{8})\.tbj$/;

/** Reads a file whole into a fresh (8-aligned) buffer. */
async function readAligned(path: string): Promise<Uint8Array> {
  const fh = await open(path, "r");
  try {
    const { size } = await fh.stat();
    const buf = new Uint8Array(size);
    for (let got = 0; got < size; ) {
      const { bytesRead } = await fh.read(buf, got, size - got, got);
      if (bytesRead === 0) return buf.subarray(0, got);
      got += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

/** The journal of one root. Create it with {@link openJournal}. */
export class Journal {
  readonly gens: Generation[] = [];
  private next = 0;
  /** A generation file was created since the last {@link syncDir}. */
  private created = false;
  /** When the journal last went from empty to holding points (0: found at open). */
  pendingSince = 0;

  constructor(readonly dir: string, private readonly handles: HandleCache) {}

  /** Bytes in generations not yet retired. */
  get pendingBytes(): number {
    let n = 0;
    for (const g of this.gens) n += g.bytes;
    return n;
  }

  /** True while the run has points in a generation not yet retired (see the module rules). */
  owns(runId: string): boolean {
    for (const g of this.gens) if (g.runs.has(runId)) return true;
    return false;
  }

  /** Generations holding points of the run that its history does not hold yet, oldest first. */
  pending(runId: string): Generation[] {
    return this.gens.filter((g) => g.runs.has(runId) && !g.done.has(runId));
  }

  /**
   * Appends one record to the newest open generation (starting one if needed). On failure the
   * journal is left as it was. Returns the file written to (for the caller's fsync bookkeeping).
   */
  async append(r: JournalRecord, present: readonly string[]): Promise<{ path: string; bytes: number }> {
    if (this.gens.length === 0) this.pendingSince = Date.now();
    let g = this.gens[this.gens.length - 1];
    if (!g || g.sealed) g = this.add(this.next++);
    // A record's length is a u32: a larger write becomes several records, appended as one write.
    const n = r.points.values.length;
    const pieces = n <= RECORD_MAX_POINTS ? [{ r, present }] : cut(r);
    const encoded = pieces.map((p) => ({ ...p, enc: encodeRecord(p.r) }));
    try {
      await appendAt(g.path, g.bytes, encoded.flatMap((e) => e.enc.parts), this.handles);
    } catch (e) {
      // A generation that never got a record is no generation (its file may not even exist).
      if (g.records.length === 0) this.gens.splice(this.gens.indexOf(g), 1);
      throw e;
    }
    let bytes = 0;
    for (const e of encoded) {
      this.index(g, g.bytes, e.enc.length, e.present);
      g.bytes += e.enc.length;
      bytes += e.enc.length;
    }
    if (g.bytes >= GENERATION_BYTES) g.sealed = true;
    return { path: g.path, bytes };
  }

  private add(no: number): Generation {
    const g: Generation = { no, path: join(this.dir, `${String(no).padStart(8, "0")}.tbj`), bytes: 0, records: [], runs: new Map(), done: new Set(), sealed: false, readers: 0, drained: undefined, reader: undefined };
    this.gens.push(g);
    this.created = true;
    return g;
  }

  private index(g: Generation, at: number, length: number, present: readonly string[]): void {
    const i = g.records.push({ at, length }) - 1;
    for (const runId of present) {
      const list = g.runs.get(runId);
      if (list) list.push(i);
      else g.runs.set(runId, [i]);
    }
  }

  /** fsyncs the journal folder if a generation file was created since the last call (so it survives a power loss). */
  async syncDir(): Promise<void> {
    if (!this.created) return;
    this.created = false;
    await syncFolder(this.dir);
  }

  /**
   * The run's journal points of `keys` (in that order) that its history does not hold yet, in
   * logging order; undefined when there are none. Reads only the records holding the run.
   */
  async read(runId: string, keys: readonly string[]): Promise<MetricHistory[] | undefined> {
    const gens = this.pending(runId);
    if (gens.length === 0) return undefined;
    for (const g of gens) g.readers++;
    try {
      const parts: { steps: Float64Array; values: Float64Array; timestamps: Float64Array }[][] = keys.map(() => []);
      for (const g of gens) {
        const fh = await (g.reader ??= open(g.path, "r")).catch((e: unknown) => {
          g.reader = undefined;
          throw e;
        });
        for (const i of g.runs.get(runId) ?? []) {
          const { at, length } = g.records[i]!;
          const bytes = new Uint8Array(length);
          for (let got = 0; got < length; ) {
            const { bytesRead } = await fh.read(bytes, got, length - got, at + got);
            if (bytesRead === 0) throw new Error(`${g.path} ends before byte ${at + length}`);
            got += bytesRead;
          }
          walkRecords(bytes, (r) => pick(r, runId, keys, parts), false);
        }
      }
      return keys.map((key, k) => join3(key, parts[k]!));
    } catch (e) {
      throw ioError("read the journal in", this.dir, e);
    } finally {
      for (const g of gens) if (--g.readers === 0) g.drained?.();
    }
  }

  /** Removes a generation whose points are all in their histories: after the reads in flight, durably. */
  async retire(g: Generation): Promise<void> {
    if (g.readers > 0) await new Promise<void>((r) => (g.drained = r));
    const at = this.gens.indexOf(g);
    if (at >= 0) this.gens.splice(at, 1);
    await g.reader?.then((fh) => fh.close()).catch(() => undefined);
    await this.handles.drop(g.path);
    await rm(g.path, { force: true }).catch((e) => { throw ioError("remove", g.path, e); });
  }

  /** Closes the files this journal holds open. */
  async close(): Promise<void> {
    for (const g of this.gens) {
      await g.reader?.then((fh) => fh.close()).catch(() => undefined);
      g.reader = undefined;
    }
  }

  /**
   * Finds the generations a root holds and indexes their intact records, handing each to
   * `onRecord`. A writer removes what follows the first damaged record; a reader ignores it, and
   * holds the files open so that a writer retiring them later does not take them away.
   */
  async load(writer: boolean, warn: (m: string) => void, onRecord: OnRecord): Promise<void> {
    if (writer) await mkdir(this.dir, { recursive: true }).catch((e) => { throw ioError("create", this.dir, e); });
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => NAME.test(n)).sort();
    let damaged = false;
    for (const name of names) {
      const no = Number(NAME.exec(name)![1]);
      this.next = Math.max(this.next, no + 1);
      const path = join(this.dir, name);
      if (damaged) {
        warn(`${path} follows a damaged journal record; ${writer ? "removed it" : "ignoring it"}.`);
        if (writer) await rm(path, { force: true });
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = await readAligned(path);
      } catch (e) {
        // A reader can race a writer that retires a generation: then its points are in the histories.
        if (!writer && (e as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw ioError("read", path, e);
      }
      const g = this.add(no);
      g.sealed = true;
      const scan = walkRecords(bytes, (r, at, length) => {
        if (damaged) return;
        if (!idsInRange(r)) {
          damaged = true;
          g.bytes = at;
          return;
        }
        const present = presentRuns(r);
        onRecord(r, present);
        this.index(g, at, length, present);
        g.bytes = at + length;
      });
      if (scan.damage !== undefined || damaged) {
        damaged = true;
        warn(`${path}: ${scan.damage ?? `a record with out-of-range ids at byte ${g.bytes}`}; ${writer ? "cut off the damaged tail" : "ignoring the damaged tail"}, ${g.bytes} intact bytes kept.`);
        if (writer) await truncate(path, g.bytes).catch((e) => { throw ioError("repair", path, e); });
      }
      if (!writer) {
        // Held open from now on (see above); a failure surfaces at the first read that needs it.
        g.reader = open(path, "r");
        g.reader.catch(() => undefined);
      }
    }
    this.created = false;
    if (writer) await syncFolder(this.dir);
  }
}

/** Opens the journal of a root (see {@link Journal.load}). */
export async function openJournal(dir: string, handles: HandleCache, writer: boolean, warn: (m: string) => void, onRecord: OnRecord): Promise<Journal> {
  const j = new Journal(dir, handles);
  await j.load(writer, warn, onRecord);
  return j;
}

type Cols = { steps: Float64Array; values: Float64Array; timestamps: Float64Array };

/** Adds the run's points of `keys` in record `r` to `parts` (one list per key). */
function pick(r: JournalRecord, runId: string, keys: readonly string[], parts: Cols[][]): void {
  const slot = r.runs.indexOf(runId);
  if (slot < 0) return;
  const want = new Int32Array(r.keys.length).fill(-1);
  keys.forEach((k, i) => {
    const id = r.keys.indexOf(k);
    if (id >= 0) want[id] = i;
  });
  const { runSlots, keyIds, steps, values, timestamps } = r.points;
  const counts = new Int32Array(keys.length);
  for (let i = 0; i < runSlots.length; i++) if (runSlots[i] === slot && want[keyIds[i]!]! >= 0) counts[want[keyIds[i]!]!]++;
  const out = keys.map((_, k) => ({ steps: new Float64Array(counts[k]!), values: new Float64Array(counts[k]!), timestamps: new Float64Array(counts[k]!) }));
  const at = new Int32Array(keys.length);
  for (let i = 0; i < runSlots.length; i++) {
    if (runSlots[i] !== slot) continue;
    const k = want[keyIds[i]!]!;
    if (k < 0) continue;
    const o = out[k]!, j = at[k]!++;
    o.steps[j] = steps[i]!;
    o.values[j] = values[i]!;
    o.timestamps[j] = timestamps[i]!;
  }
  out.forEach((o, k) => o.steps.length > 0 && parts[k]!.push(o));
}

function join3(key: string, parts: Cols[]): MetricHistory {
  let n = 0;
  for (const p of parts) n += p.steps.length;
  const h: MetricHistory = { key, steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  let at = 0;
  for (const p of parts) {
    h.steps.set(p.steps, at);
    h.values.set(p.values, at);
    h.timestamps.set(p.timestamps, at);
    at += p.steps.length;
  }
  return h;
}

/** fsyncs a folder (a no-op where folders cannot be opened). */
export async function syncFolder(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EBADF" && code !== "ENOENT") throw ioError("sync", dir, e);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * {@link updateLatest} for the points of many runs interleaved (a journal record): per run and key
 * the same rule in logging order, with the running best in typed arrays indexed by slot × key id,
 * each entry loaded from the run's stored latest value when first met. Runs `latestOf` does not
 * know are skipped. Regroups instead when that table would be large.
 */
export function updateLatestOfRuns(r: JournalRecord, latestOf: (runId: string) => Map<string, LatestPoint> | undefined): void {
  const nKeys = r.keys.length;
  const size = r.runs.length * nKeys;
  if (size > 1 << 20) {
    for (const [runId, points] of regroup([r], presentRuns(r))) {
      const latest = latestOf(runId);
      if (latest) updateLatest(latest, points);
    }
    return;
  }
  const bs = new Float64Array(size), bt = new Float64Array(size), bv = new Float64Array(size);
  const state = new Uint8Array(size); // 0 not met yet, 1 stored, 2 changed, 3 none stored, 4 unknown run
  const { runSlots, keyIds, steps, timestamps, values } = r.points;
  for (let i = 0; i < values.length; i++) {
    const x = runSlots[i]! * nKeys + keyIds[i]!;
    let st = state[x]!;
    if (st === 0) {
      const latest = latestOf(r.runs[runSlots[i]!]!);
      const p = latest?.get(r.keys[keyIds[i]!]!);
      st = latest === undefined ? 4 : p === undefined ? 3 : 1;
      if (p) {
        bs[x] = p.step;
        bt[x] = p.timestamp;
        bv[x] = p.value;
      }
      state[x] = st;
    }
    if (st === 4) continue;
    const s = steps[i]!, t = timestamps[i]!, v = values[i]!;
    if (st === 3 || (s !== bs[x] ? s > bs[x]! : t !== bt[x] ? t > bt[x]! : v > bv[x]!)) {
      state[x] = 2;
      bs[x] = s;
      bt[x] = t;
      bv[x] = v;
    }
  }
  for (let x = 0; x < size; x++) {
    if (state[x] !== 2) continue;
    latestOf(r.runs[Math.floor(x / nKeys)]!)!.set(r.keys[x % nKeys]!, { step: bs[x]!, timestamp: bt[x]!, value: bv[x]! });
  }
}
