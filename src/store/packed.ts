/**
 * Unpacking a client flush ({@link PackedFlush}: every run's points interleaved in logging order)
 * into per-run batches. Shared by the client (stores in its own thread) and by store workers,
 * which do it off the calling thread.
 *
 * @module
 */
import type { LogBatch, MetricColumns } from "../entities.js";
import type { BatchEntry, PackedFlush } from "./store.js";

/** Point columns of any runs; `runSlots` say which run each point belongs to. */
export type PointColumns = PackedFlush["points"];

/**
 * Per-run columns as plain typed arrays (what a regrouped flush is written into), at least as
 * long as asked; `order`, if given, is scratch space for the sort.
 */
export type RunColumns = { keyIds: Uint32Array; values: Float64Array; steps: Float64Array; timestamps: Float64Array; order?: Uint32Array };

/** Gives `n`-point columns to regroup into; the default allocates fresh ones. */
export type ColumnsFor = (n: number) => RunColumns;

const fresh: ColumnsFor = (n) => ({ keyIds: new Uint32Array(n), values: new Float64Array(n), steps: new Float64Array(n), timestamps: new Float64Array(n) });

/**
 * Splits points into per-run metric columns cut into chunks of at most `maxPoints` points,
 * keeping logging order within each run. Chunks are views, not copies: one run's points are used
 * in place, and many runs' points are regrouped by run with one stable counting sort into
 * `into(n)` columns, so every chunk shares the same few buffers. Each run's chunks share one small
 * key list holding just the keys that run used. Key ids in the input are rewritten.
 */
export function splitByRun(points: PointColumns, keys: readonly string[], maxPoints: number, into: ColumnsFor = fresh): Map<number, MetricColumns[]> {
  const out = new Map<number, MetricColumns[]>();
  const slots = points.runSlots;
  const n = points.values.length;
  if (n === 0) return out;
  let single = true;
  let maxSlot = 0;
  for (let i = 0; i < n; i++) {
    const s = slots[i]!;
    if (s !== slots[0]) single = false;
    if (s > maxSlot) maxSlot = s;
  }
  if (single) {
    out.set(slots[0]!, chunks(points, 0, n, localKeys(points.keyIds, 0, n, keys), maxPoints));
    return out;
  }
  const starts = new Uint32Array(maxSlot + 2);
  for (let i = 0; i < n; i++) starts[slots[i]! + 1]++;
  for (let s = 1; s < starts.length; s++) starts[s] += starts[s - 1]!;
  const at = starts.slice(0, maxSlot + 1);
  const cols = into(n);
  const dest = cols.order && cols.order.length >= n ? cols.order : new Uint32Array(n);
  for (let i = 0; i < n; i++) dest[i] = at[slots[i]!]!++;
  // One pass per column: each pass writes to one array only, which stays in cache far better
  // than scattering four columns at once (measured ~1.5× faster with 1,000 runs).
  for (let i = 0; i < n; i++) cols.keyIds[dest[i]!] = points.keyIds[i]!;
  for (let i = 0; i < n; i++) cols.values[dest[i]!] = points.values[i]!;
  for (let i = 0; i < n; i++) cols.steps[dest[i]!] = points.steps[i]!;
  for (let i = 0; i < n; i++) cols.timestamps[dest[i]!] = points.timestamps[i]!;
  for (let s = 0; s <= maxSlot; s++) {
    const from = starts[s]!, to = starts[s + 1]!;
    if (to > from) out.set(s, chunks(cols, from, to, localKeys(cols.keyIds, from, to, keys), maxPoints));
  }
  return out;
}

/** Rewrites global key ids in `[from, to)` to ids into the returned list of the keys used there. */
function localKeys(keyIds: Uint32Array, from: number, to: number, keys: readonly string[]): string[] {
  const local = new Int32Array(keys.length).fill(-1);
  const used: string[] = [];
  for (let i = from; i < to; i++) {
    const g = keyIds[i]!;
    let l = local[g]!;
    if (l < 0) {
      l = local[g] = used.length;
      used.push(keys[g]!);
    }
    keyIds[i] = l;
  }
  return used;
}

function chunks(c: RunColumns, from: number, to: number, keys: string[], maxPoints: number): MetricColumns[] {
  const out: MetricColumns[] = [];
  for (let s = from; s < to; s += maxPoints) {
    const e = Math.min(to, s + maxPoints);
    out.push({ keys, keyIds: c.keyIds.subarray(s, e), values: c.values.subarray(s, e), steps: c.steps.subarray(s, e), timestamps: c.timestamps.subarray(s, e) });
  }
  return out;
}

/**
 * The entries a packed flush stands for: per run, its params/tags batches first, then its points
 * in chunks of at most `maxPoints` (views, see {@link splitByRun}).
 */
export function unpackFlush(flush: PackedFlush, maxPoints: number, into?: ColumnsFor): BatchEntry[] {
  const perRun = new Map<string, LogBatch[]>();
  for (const { runId, batch } of flush.kv) {
    const list = perRun.get(runId);
    if (list) list.push(batch);
    else perRun.set(runId, [batch]);
  }
  for (const [slot, parts] of splitByRun(flush.points, flush.keys, maxPoints, into)) {
    const runId = flush.runIds[slot]!;
    const list = perRun.get(runId) ?? [];
    for (const metrics of parts) list.push({ metrics });
    perRun.set(runId, list);
  }
  const entries: BatchEntry[] = [];
  for (const [runId, batches] of perRun) for (const batch of batches) entries.push({ runId, batch });
  return entries;
}
