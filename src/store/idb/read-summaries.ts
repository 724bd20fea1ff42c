/**
 * `getMetricHistorySummary` of the IndexedDB store: a history cut for a chart from its chunks'
 * summaries (summaries.ts), with the result {@link cutHistory} gives on the whole history.
 *
 * Inside one readonly transaction:
 * 1. find the chunks of the step range: for a zoomed range of a series whose steps never went
 *    down, the summaries that reach it through the `last` index (the others are not read);
 *    otherwise every summary. Chunks without a summary are read whole. If the steps ever go
 *    down, the cut needs every point in step order: the whole history is read and cut.
 * 2. chunks the range cuts through are read whole (the cut starts and ends at raw points);
 *    chunks inside it count by their summary.
 * 3. when the range holds few points (at most the raw limit), every one of them is returned:
 *    the chunks inside are read whole too.
 * 4. otherwise the cut's aligned bucket grid (src/m4.ts) is fixed by the range's first and last
 *    step; a summary with cells wider than the grid's unit is replaced by its chunk, and the cut is
 *    taken from the kept points and raw points together. Every bucket of the grid holds whole
 *    cells, so each bucket's first, last, min and max point is among them: the result is exactly
 *    the cut of all the raw points.
 *
 * @module
 */
import { cutHistory, DEFAULT_BUDGET } from "../../downsample.js";
import type { HistorySummaryOptions, MetricHistorySummary } from "../../entities.js";
import { gridFor, m4 } from "../../m4.js";
import { notFound } from "../../validation.js";
import { likelyWhole, remember } from "./chunk-bounds.js";
import { historyOf, type Points } from "./chunks.js";
import type { Tx } from "./connection.js";
import type { ChunkRow } from "./schema.js";
import { writeKept, type SummaryRow } from "./summaries.js";

type ReadTx = Tx<"runs" | "series" | "chunks" | "summaries", "readonly">;

/** One chunk as the cut sees it: its summary or its raw points (once read), and its step bounds. */
type Part = { no: number; summary?: SummaryRow | undefined; raw?: Points; first: number; last: number };

/** The cut of `key`'s history in run `runId`, read through `tx`; RESOURCE_DOES_NOT_EXIST without the run. */
export async function readSummary(tx: ReadTx, runId: string, key: string, options: HistorySummaryOptions = {}): Promise<MetricHistorySummary> {
  const range = IDBKeyRange.bound([runId, key, 0], [runId, key, Infinity]);
  const chunks = tx.objectStore("chunks");
  const [lo, hi] = options.stepRange ?? [-Infinity, Infinity];
  const everything = async () => cutHistory(historyOf(key, await chunks.getAll(range)), options);
  const budget = Math.max(4, Math.floor(options.budget ?? DEFAULT_BUDGET));
  const limit = Math.max(budget, options.rawLimit ?? 0);
  const early = new Map<number, Promise<ChunkRow | undefined>>();
  const readRaw = async (list: Part[]) => {
    const todo = list.filter((p) => !p.raw);
    const rows = await Promise.all(todo.map((p) => early.get(p.no) ?? chunks.get([runId, key, p.no])));
    rows.forEach((row, i) => (todo[i]!.raw = historyOf(key, row ? [row] : [])));
  };

  // 1. The chunks of the range, with their bounds: summaries (those a zoomed range reaches, when
  // the steps never went down), and whole chunks where there is no summary or the range cuts
  // through one, all read at once.
  const firstRound = Promise.all([
    tx.objectStore("runs").getKey(runId),
    tx.objectStore("series").get([runId, key]),
    chunks.getAllKeys(range),
    tx.objectStore("summaries").getAllKeys(range),
    options.stepRange ? reaching(tx, runId, key, lo, hi) : undefined,
  ]);
  // A zoom asks in the same round (after those, which are small) for the chunks earlier reads
  // say it will read whole (chunk-bounds.ts).
  if (options.stepRange) {
    for (const no of likelyWhole(tx.db.name, runId, key, lo, hi, limit, Math.floor(budget / 4))) {
      const read = chunks.get([runId, key, no]);
      // One left unused must not report its failure; one used reports it where it is awaited.
      read.catch(() => undefined);
      early.set(no, read);
    }
  }
  const [run, series, keys, summarised, reached] = await firstRound;
  if (run === undefined) throw notFound.run(runId);
  const indexed = series?.ascending === true ? reached : undefined;
  const summaries = indexed ? indexed.reached : await tx.objectStore("summaries").getAll(range);
  const byNo = new Map(summaries.map((s) => [s.chunkNo, s]));
  const hasSummary = new Set(summarised.map(([, , no]) => no));
  const away = indexed ? outside(indexed, summarised.map(([, , no]) => no)) : () => false;
  const parts: Part[] = keys.filter(([, , no]) => byNo.has(no) || (!hasSummary.has(no) && !away(no))).map(([, , no]) => ({ no, summary: byNo.get(no), first: NaN, last: NaN }));
  const whole = surelyWhole(parts, lo, hi, limit, Math.floor(budget / 4));
  await readRaw(parts.filter((p) => !p.summary || whole(p.summary)));
  let prev = -Infinity;
  for (const p of parts) {
    if (p.raw && !isAscending(p.raw.steps)) return everything();
    [p.first, p.last] = p.raw ? [p.raw.steps[0]!, lastOf(p.raw.steps)] : [p.summary!.first, p.summary!.last];
    // Empty raw chunks (none are written) give NaN bounds, and NaN fails this test too.
    if (!(p.first >= prev)) return everything();
    prev = p.last;
  }
  remember(tx.db.name, runId, key, parts.map((p) => [p.no, { first: p.first, last: p.last, n: p.raw ? p.raw.steps.length : p.summary!.n, ...(p.summary ? { cell: p.summary.cell } : {}) }]), !indexed);

  // 2. The chunks the range reaches; what is inside counts by its summary.
  const used = parts.filter((p) => p.last >= lo && p.first <= hi);
  const count = used.reduce((n, p) => n + (p.raw ? slice(p.raw, lo, hi).steps.length : p.summary!.n), 0);

  // 3. Few points: all of them.
  if (count <= limit) {
    await readRaw(used);
    return { key, ...gather(used, lo, hi), count };
  }

  // 4. The cut from kept and raw points, on the grid of the range's first and last step.
  const buckets = Math.floor(budget / 4);
  const [head, tail] = [used[0]!, used[used.length - 1]!];
  const grid = gridFor(head.raw ? slice(head.raw, lo, hi).steps[0]! : head.first, tail.raw ? lastOf(slice(tail.raw, lo, hi).steps) : tail.last, buckets);
  // Without a grid (one step value) buckets are runs of positions, which only raw points have.
  await readRaw(used.filter((p) => !p.raw && (grid ? 2 ** p.summary!.cell > grid.unit : buckets > 1)));
  const points = gather(used, lo, hi);
  const keep = m4(points.steps, points.values, 0, points.steps.length, buckets);
  const out: Points = { steps: new Float64Array(keep.length), values: new Float64Array(keep.length), timestamps: new Float64Array(keep.length) };
  for (let j = 0; j < keep.length; j++) {
    const i = keep[j]!;
    out.steps[j] = points.steps[i]!;
    out.values[j] = points.values[i]!;
    out.timestamps[j] = points.timestamps[i]!;
  }
  return { key, ...out, count };
}

/**
 * Which summarised chunks the cut will read whole, known before any chunk is read (so they are
 * read with the others at once): those the range cuts through; all, when the range surely holds
 * few points; and those whose cells are wider than the cut's grid unit can be, the range's widest
 * possible extent giving the widest unit.
 */
function surelyWhole(parts: Part[], lo: number, hi: number, limit: number, buckets: number): (s: SummaryRow) => boolean {
  let n = 0;
  let [from, to] = [Infinity, -Infinity];
  for (const { summary: s } of parts) {
    // A chunk with no summary may hold any number of points anywhere in [lo, hi].
    if (!s) [n, from, to] = [Infinity, Math.min(from, lo), Math.max(to, hi)];
    else if (s.last >= lo && s.first <= hi) [n, from, to] = [n + s.n, Math.min(from, s.first), Math.max(to, s.last)];
  }
  const span = Math.min(hi, to) - Math.max(lo, from);
  const widest = buckets > 1 && Number.isFinite(span) ? 2 ** (Math.floor(Math.log2(span / (buckets - 1))) - 3) : Infinity;
  return (s) => s.last >= lo && s.first <= hi && (s.first < lo || s.last > hi || n <= limit || 2 ** s.cell > widest);
}

/** Summaries read per request while looking for those a zoomed range reaches. */
const READ_AHEAD = 8;

/**
 * The summaries of chunks with steps in `[lo, hi]` if the series' steps never go down (else some
 * others: the caller does not use them), a few per request, and the chunk number of the first
 * summary past `hi` (Infinity: none); undefined when more chunks than that end on one step
 * (steps repeating), and all summaries must be read instead.
 */
async function reaching(tx: ReadTx, runId: string, key: string, lo: number, hi: number): Promise<{ reached: SummaryRow[]; beyond: number } | undefined> {
  const index = tx.objectStore("summaries").index("last");
  const reached: SummaryRow[] = [];
  const seen = new Set<number>();
  for (let from = lo; ; ) {
    const batch = await index.getAll(IDBKeyRange.bound([runId, key, from], [runId, key, Infinity]), READ_AHEAD);
    let fresh = 0;
    for (const s of batch) {
      if (seen.has(s.chunkNo)) continue;
      if (s.first > hi) return { reached, beyond: s.chunkNo };
      seen.add(s.chunkNo);
      reached.push(s);
      fresh++;
    }
    if (batch.length < READ_AHEAD) return { reached, beyond: Infinity };
    if (fresh === 0) return undefined;
    from = batch[batch.length - 1]!.last;
  }
}

/**
 * Whether a chunk without a summary surely lies outside the range, placed by the summarised
 * chunks around it (steps never going down, chunk order is step order): one followed by a
 * summarised chunk before the range, or preceded by one past it, is not read at all.
 */
function outside({ reached, beyond }: { reached: SummaryRow[]; beyond: number }, summarised: number[]): (no: number) => boolean {
  const start = reached.length > 0 ? reached[0]!.chunkNo : beyond;
  return (no) => {
    // The first summarised chunk after `no` (chunk numbers ascend in `summarised`).
    let a = 0;
    let b = summarised.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (summarised[m]! > no) b = m;
      else a = m + 1;
    }
    return (a < summarised.length && summarised[a]! < start) || (a > 0 && summarised[a - 1]! >= beyond);
  };
}

/** The points of `parts` within `[lo, hi]` in one set of columns: each part's raw points if read, else its kept points. */
function gather(parts: Part[], lo: number, hi: number): Points {
  const pieces = parts.map((p) => (p.raw ? slice(p.raw, lo, hi) : p.summary!));
  let n = 0;
  for (const x of pieces) n += "at" in x ? x.at.length : x.steps.length;
  const out: Points = { steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  let at = 0;
  for (const x of pieces) {
    if ("at" in x) {
      at = writeKept(x, out, at);
      continue;
    }
    out.steps.set(x.steps, at);
    out.values.set(x.values, at);
    out.timestamps.set(x.timestamps, at);
    at += x.steps.length;
  }
  return out;
}

function isAscending(steps: Float64Array): boolean {
  for (let i = 1; i < steps.length; i++) if (!(steps[i]! >= steps[i - 1]!)) return false;
  return true;
}

/** Positions `[from, to)` of ascending `steps` within `[lo, hi]`. */
function inRange(steps: Float64Array, lo: number, hi: number): [number, number] {
  const first = (pred: (v: number) => boolean) => {
    let a = 0;
    let b = steps.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (pred(steps[m]!)) b = m;
      else a = m + 1;
    }
    return a;
  };
  return [first((v) => v >= lo), first((v) => v > hi)];
}

function slice(p: Points, lo: number, hi: number): Points {
  const [from, to] = inRange(p.steps, lo, hi);
  return { steps: p.steps.subarray(from, to), values: p.values.subarray(from, to), timestamps: p.timestamps.subarray(from, to) };
}

function lastOf(a: Float64Array): number {
  return a[a.length - 1]!;
}
