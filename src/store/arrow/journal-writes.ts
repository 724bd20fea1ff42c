/**
 * Building journal records (journal-file.ts) from what the store is asked to write: a client
 * flush as it is (no copy, no regrouping), or runs' grouped points gathered into one record.
 *
 * @module
 */
import { validateKey } from "../../validation.js";
import type { PackedFlush } from "../store.js";
import type { JournalRecord } from "./journal-file.js";
import type { Points } from "./segments.js";

/** A record to append and the runs it holds points of. */
export type RecordToWrite = { record: JournalRecord; present: string[] };

/** The runs (by id) with at least one point in a flush; undefined when a slot is out of range. */
export function flushRuns(flush: PackedFlush): string[] | undefined {
  const slots = flush.points.runSlots;
  const seen = new Uint8Array(flush.runIds.length);
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    if (s >= seen.length) return undefined;
    seen[s] = 1;
  }
  const out: string[] = [];
  for (let s = 0; s < seen.length; s++) if (seen[s]) out.push(flush.runIds[s]!);
  return out;
}

/**
 * The flush as one record, when it can be written as it is: no params or tags, and every point
 * well formed (key id in range, safe-integer step, safe-integer timestamp ≥ 0), as the client
 * sends them. Otherwise undefined: the caller unpacks the flush and checks entry by entry, which
 * names what is wrong.
 */
export function packedRecord(flush: PackedFlush, present: string[]): RecordToWrite | undefined {
  if (flush.kv.length > 0) return undefined;
  try {
    for (const key of flush.keys) validateKey("metric", key);
  } catch {
    return undefined;
  }
  const { keyIds, steps, timestamps } = flush.points;
  const nKeys = flush.keys.length;
  for (let i = 0; i < keyIds.length; i++) {
    const ts = timestamps[i]!;
    if (keyIds[i]! >= nKeys || !Number.isSafeInteger(steps[i]!) || !Number.isSafeInteger(ts) || ts < 0) return undefined;
  }
  // A long-lived client lists every run it ever logged to; the record names only those with
  // points here (the slots are rewritten in place: the flush is the store's once handed over).
  if (flush.runIds.length > 2 * present.length) {
    const slotOf = new Map(flush.runIds.map((id, s) => [id, s]));
    const map = new Uint32Array(flush.runIds.length);
    present.forEach((id, s) => (map[slotOf.get(id)!] = s));
    const slots = flush.points.runSlots;
    for (let i = 0; i < slots.length; i++) slots[i] = map[slots[i]!]!;
    return { record: { runs: present, keys: flush.keys, points: flush.points }, present };
  }
  return { record: { runs: flush.runIds, keys: flush.keys, points: flush.points }, present };
}

/** Gathers runs' points (each with its own key list) into one record, run after run. */
export function gatheredRecord(perRun: readonly (readonly [string, Points])[]): RecordToWrite {
  let n = 0;
  for (const [, p] of perRun) n += p.values.length;
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  const points = { runSlots: new Uint32Array(n), keyIds: new Uint32Array(n), steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) };
  let at = 0;
  perRun.forEach(([, p], slot) => {
    const map = p.keys.map((k) => {
      let id = keyIndex.get(k);
      if (id === undefined) keyIndex.set(k, (id = keys.push(k) - 1));
      return id;
    });
    const m = p.values.length;
    points.runSlots.fill(slot, at, at + m);
    for (let i = 0; i < m; i++) points.keyIds[at + i] = map[p.keyIds[i]!]!;
    points.steps.set(p.steps, at);
    points.values.set(p.values, at);
    points.timestamps.set(p.timestamps, at);
    at += m;
  });
  const runs = perRun.map(([id]) => id);
  return { record: { runs, keys, points }, present: runs };
}
