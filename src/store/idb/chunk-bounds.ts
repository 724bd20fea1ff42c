/**
 * Where each chunk of a series lies in steps, as earlier reads of it saw: lets a zoomed read ask
 * for the chunks it will read whole in its first round of requests, beside the summaries that
 * decide which those are, instead of in a second round after them (a chunk is a record of a few
 * hundred KB, which Chromium keeps as a blob: reading one has a latency of several ms).
 *
 * Only a guess: every point the cut uses still comes from the read's own transaction, and a guess
 * of a chunk the cut then does not need is left unused. A wrong guess costs a wasted or a later
 * read, never a wrong result.
 *
 * @module
 */

/** A chunk's first and last step, its point count, and its summary's cell (log2), if it has one. */
export type Bounds = { first: number; last: number; n: number; cell?: number };

/** Series remembered, the least recently read forgotten first. */
const MAX_SERIES = 64;
const known = new Map<string, Map<number, Bounds>>();
const id = (db: string, runId: string, key: string) => `${db}\u0000${runId}\u0000${key}`;

/**
 * Records the bounds a read saw of a series' chunks; `all` when they are every chunk it has (a
 * read of the whole range), which drops chunks no longer there.
 */
export function remember(db: string, runId: string, key: string, chunks: Iterable<[number, Bounds]>, all: boolean): void {
  const k = id(db, runId, key);
  const prev = known.get(k);
  known.delete(k);
  const map = all || !prev ? new Map<number, Bounds>() : prev;
  for (const [no, b] of chunks) map.set(no, b);
  known.set(k, map);
  if (known.size > MAX_SERIES) known.delete(known.keys().next().value!);
}

/**
 * The chunks of a series a cut of steps `[lo, hi]` will read whole, as far as earlier reads
 * know: all of them when the range holds at most `limit` points, else those the range cuts
 * through, those without a summary, and those whose summary cells are wider than the cut's grid
 * unit can be (the test read-summaries.ts makes with the summaries in hand).
 */
export function likelyWhole(db: string, runId: string, key: string, lo: number, hi: number, limit: number, buckets: number): number[] {
  const map = known.get(id(db, runId, key));
  if (!map) return [];
  const reached = [...map].filter(([, b]) => b.last >= lo && b.first <= hi);
  let n = 0;
  let [from, to] = [Infinity, -Infinity];
  for (const [, b] of reached) [n, from, to] = [n + b.n, Math.min(from, b.first), Math.max(to, b.last)];
  if (n <= limit) return reached.map(([no]) => no);
  const span = Math.min(hi, to) - Math.max(lo, from);
  const widest = buckets > 1 && Number.isFinite(span) ? 2 ** (Math.floor(Math.log2(span / (buckets - 1))) - 3) : Infinity;
  return reached.filter(([, b]) => b.cell === undefined || b.first < lo || b.last > hi || 2 ** b.cell > widest).map(([no]) => no);
}
