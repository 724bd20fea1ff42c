/**
 * `getMetricHistorySummary` of the IndexedDB store: a history cut for a chart from its chunks'
 * summaries (summaries.ts), with the result {@link cutHistory} gives on the whole history.
 *
 * Inside one readonly transaction:
 * 1. read every summary of the series and the chunk numbers; read whole the chunks that have no
 *    summary. If the steps ever go down, the cut needs every point in step order: read it all.
 * 2. a zoomed step range: chunks outside it are skipped, chunks it cuts through are read whole
 *    (the cut starts and ends at raw points), chunks inside it count by their summary.
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
import { historyOf, type Points } from "./chunks.js";
import type { Tx } from "./connection.js";
import { keptStep, summaryPoints, type SummaryRow } from "./summaries.js";

type ReadTx = Tx<"runs" | "chunks" | "summaries", "readonly">;

/** One chunk as the cut sees it: its summary, its raw points once read, and its step bounds. */
type Part = { no: number; summary?: SummaryRow | undefined; raw?: Points; first: number; last: number };

/** The cut of `key`'s history in run `runId` (which exists), read through `tx`. */
export async function readSummary(tx: ReadTx, runId: string, key: string, options: HistorySummaryOptions = {}): Promise<MetricHistorySummary> {
  const range = IDBKeyRange.bound([runId, key, 0], [runId, key, Infinity]);
  const chunks = tx.objectStore("chunks");
  const [summaries, keys] = await Promise.all([tx.objectStore("summaries").getAll(range), chunks.getAllKeys(range)]);
  const byNo = new Map(summaries.map((s) => [s.chunkNo, s]));
  const parts: Part[] = keys.map(([, , no]) => ({ no, summary: byNo.get(no), first: NaN, last: NaN }));
  const readRaw = async (list: Part[]) => {
    const todo = list.filter((p) => !p.raw);
    const rows = await Promise.all(todo.map((p) => chunks.get([runId, key, p.no])));
    rows.forEach((row, i) => (todo[i]!.raw = historyOf(key, row ? [row] : [])));
  };

  // 1. Bounds of every chunk; steps must never go down.
  await readRaw(parts.filter((p) => !p.summary));
  let prev = -Infinity;
  for (const p of parts) {
    if (p.raw && !ascending(p.raw.steps)) return cutHistory(historyOf(key, await chunks.getAll(range)), options);
    // A summary keeps its chunk's first and last point.
    [p.first, p.last] = p.raw ? [p.raw.steps[0]!, lastOf(p.raw.steps)] : [keptStep(p.summary!, 0), keptStep(p.summary!, p.summary!.at.length - 1)];
    if (!(p.first >= prev)) return cutHistory(historyOf(key, await chunks.getAll(range)), options);
    prev = p.last;
  }

  // 2. The chunks of the step range; those it cuts through are read whole.
  const [lo, hi] = options.stepRange ?? [-Infinity, Infinity];
  const used = parts.filter((p) => p.last >= lo && p.first <= hi);
  await readRaw(used.filter((p) => p.first < lo || p.last > hi));
  const count = used.reduce((n, p) => n + (p.raw ? slice(p.raw, lo, hi).steps.length : p.summary!.n), 0);

  // 3. Few points: all of them.
  const budget = Math.max(4, Math.floor(options.budget ?? DEFAULT_BUDGET));
  if (count <= Math.max(budget, options.rawLimit ?? 0)) {
    await readRaw(used);
    return { key, ...concat(used.map((p) => slice(p.raw!, lo, hi))), count };
  }

  // 4. The cut from kept and raw points, on the grid of the range's first and last step.
  const buckets = Math.floor(budget / 4);
  const first = used[0]!.raw ? slice(used[0]!.raw, lo, hi).steps[0]! : used[0]!.first;
  const last = used[used.length - 1]!.raw ? lastOf(slice(used[used.length - 1]!.raw!, lo, hi).steps) : used[used.length - 1]!.last;
  const grid = gridFor(first, last, buckets);
  // Without a grid (one step value) buckets are runs of positions, which only raw points have.
  await readRaw(used.filter((p) => !p.raw && (grid ? 2 ** p.summary!.cell > grid.unit : buckets > 1)));
  const points = concat(used.map((p) => (p.raw ? slice(p.raw, lo, hi) : summaryPoints(p.summary!))));
  const keep = m4(points.steps, points.values, 0, points.steps.length, buckets);
  const pick = (col: Float64Array) => Float64Array.from(keep, (i) => col[i]!);
  return { key, steps: pick(points.steps), values: pick(points.values), timestamps: pick(points.timestamps), count };
}

function ascending(steps: Float64Array): boolean {
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

function concat(list: Points[]): Points {
  let n = 0;
  for (const p of list) n += p.steps.length;
  const out: Points = { steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  let at = 0;
  for (const p of list) {
    out.steps.set(p.steps, at);
    out.values.set(p.values, at);
    out.timestamps.set(p.timestamps, at);
    at += p.steps.length;
  }
  return out;
}
