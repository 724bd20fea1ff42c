/**
 * Reading every key's history of a run in one pass: the history file is read once (one
 * positioned read into one buffer), its frames decoded without copying, and each key's points
 * gathered into arrays sized from a first counting pass.
 *
 * Why: a bundle export wants all keys of every run. Reading them key by key
 * ({@link readKeyHistory}) walks the file once per key with several small reads per frame (a
 * run logged in interleaved flushes has mixed-key frames): ~50 positioned reads per key, which
 * was most of an export's time. Runs whose history is larger than {@link WHOLE_FILE_MAX} are
 * still read key by key, so memory stays bounded by that plus one key's history.
 *
 * @module
 */
import type { MetricHistory } from "../../entities.js";
import { emptyHistory } from "../memory/series.js";
import { readTail } from "./history.js";
import { readKeyHistory } from "./history-read.js";
import type { BatchView } from "./ipc-codec.js";
import { scanFrames } from "./segments.js";

/** Largest history file read whole (bytes); larger ones are read key by key. */
export const WHOLE_FILE_MAX = 64 * 2 ** 20;

/**
 * The histories of `keys` (in that order; a key without points gets an empty history) in the
 * first `limit` bytes of the history file at `path`, each in logging order. Frame checksums are
 * not checked again: these are bytes the store verified at open or wrote itself.
 */
export async function readHistories(path: string, limit: number, keys: readonly string[]): Promise<MetricHistory[]> {
  if (limit === 0 || keys.length === 0) return keys.map(emptyHistory);
  if (limit > WHOLE_FILE_MAX) {
    const out: MetricHistory[] = [];
    for (const k of keys) out.push(await readKeyHistory(path, limit, k));
    return out;
  }
  const bytes = await readTail(path, 0, limit);
  if (bytes.length < limit) throw new Error(`the file ends at byte ${bytes.length}, before byte ${limit}`);
  const batches: BatchView[] = [];
  const scan = scanFrames(bytes, (b) => batches.push(b), 0, false);
  if (scan.damage !== undefined) throw new Error(scan.damage);
  return gatherKeys(batches, keys);
}

/** Splits decoded batches by key: counts first, then fills arrays of the exact size. */
export function gatherKeys(batches: readonly BatchView[], keys: readonly string[]): MetricHistory[] {
  const slot = new Map<string, number>();
  keys.forEach((k, i) => slot.set(k, i));
  const counts = new Float64Array(keys.length);
  // Per batch: its key ids mapped to slots of `keys` (-1: not asked for).
  const maps: Int32Array[] = [];
  for (const b of batches) {
    const map = new Int32Array(b.keys.length);
    for (let i = 0; i < b.keys.length; i++) map[i] = slot.get(b.keys[i]!) ?? -1;
    maps.push(map);
    const ids = b.keyIds;
    if (b.keys.length === 1) {
      if (map[0]! >= 0) counts[map[0]!] += ids.length;
    } else for (let i = 0; i < ids.length; i++) {
      const s = map[ids[i]!]!;
      if (s >= 0) counts[s]++;
    }
  }
  const out: MetricHistory[] = keys.map((key, i) => ({ key, steps: new Float64Array(counts[i]!), values: new Float64Array(counts[i]!), timestamps: new Float64Array(counts[i]!) }));
  const at = new Float64Array(keys.length);
  for (let j = 0; j < batches.length; j++) {
    const b = batches[j]!;
    const map = maps[j]!;
    if (b.keys.length === 1) {
      const s = map[0]!;
      if (s < 0) continue;
      const h = out[s]!;
      const n = b.keyIds.length;
      h.steps.set(b.steps.subarray(0, n), at[s]!);
      h.values.set(b.values.subarray(0, n), at[s]!);
      h.timestamps.set(b.timestamps.subarray(0, n), at[s]!);
      at[s] += n;
      continue;
    }
    const ids = b.keyIds;
    for (let i = 0; i < ids.length; i++) {
      const s = map[ids[i]!]!;
      if (s < 0) continue;
      const h = out[s]!;
      const w = at[s]!;
      h.steps[w] = b.steps[i]!;
      h.values[w] = b.values[i]!;
      h.timestamps[w] = b.timestamps[i]!;
      at[s] = w + 1;
    }
  }
  return out;
}
