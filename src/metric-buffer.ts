/**
 * The calling thread's side of metric logging: points go into preallocated typed-array columns
 * and keys are interned once, so `logMetric` costs a few array stores and never allocates or
 * awaits. A full buffer is handed off whole (`take`) and a fresh one starts.
 *
 * @module
 */
import type { MetricColumns } from "./entities.js";

/** Points of any runs, in logging order, as columns. */
export type MetricBlock = {
  length: number;
  runSlots: Uint32Array;
  keyIds: Uint32Array;
  values: Float64Array;
  steps: Float64Array;
  timestamps: Float64Array;
};

function allocate(capacity: number): MetricBlock {
  return {
    length: 0,
    runSlots: new Uint32Array(capacity),
    keyIds: new Uint32Array(capacity),
    values: new Float64Array(capacity),
    steps: new Float64Array(capacity),
    timestamps: new Float64Array(capacity),
  };
}

/** A double-buffered columnar queue of metric points. */
export class MetricBuffer {
  private block: MetricBlock;
  private readonly initial: number;

  constructor(public capacity: number) {
    this.initial = capacity;
    this.block = allocate(capacity);
  }

  /** Doubles the capacity, keeping the waiting points (while the store is busy, batches grow). */
  grow(): void {
    const old = this.block;
    this.capacity *= 2;
    const b = allocate(this.capacity);
    b.runSlots.set(old.runSlots.subarray(0, old.length));
    b.keyIds.set(old.keyIds.subarray(0, old.length));
    b.values.set(old.values.subarray(0, old.length));
    b.steps.set(old.steps.subarray(0, old.length));
    b.timestamps.set(old.timestamps.subarray(0, old.length));
    b.length = old.length;
    this.block = b;
  }

  /** Points waiting. */
  get length(): number {
    return this.block.length;
  }

  /** Appends one point; returns true when the buffer is now full. */
  push(runSlot: number, keyId: number, value: number, step: number, timestamp: number): boolean {
    const b = this.block;
    const i = b.length;
    b.runSlots[i] = runSlot;
    b.keyIds[i] = keyId;
    b.values[i] = value;
    b.steps[i] = step;
    b.timestamps[i] = timestamp;
    b.length = i + 1;
    return b.length === this.capacity;
  }

  /** Hands off the waiting points and starts an empty buffer. */
  take(): MetricBlock {
    const b = this.block;
    // Back to the initial size: a burst that grew the buffer should not pin its memory.
    this.capacity = this.initial;
    this.block = allocate(this.capacity);
    return b;
  }
}

/**
 * Splits a block into per-run metric columns of at most `maxPoints` points, keeping logging
 * order within each run. `keys` is the global intern table; each chunk gets its own small key
 * list so a store validates only the keys the chunk uses.
 */
export function splitBlock(block: MetricBlock, keys: readonly string[], maxPoints: number): Map<number, MetricColumns[]> {
  const bySlot = new Map<number, number[]>();
  let single = true;
  const first = block.runSlots[0];
  for (let i = 1; i < block.length; i++) if (block.runSlots[i] !== first) { single = false; break; }
  const out = new Map<number, MetricColumns[]>();
  if (block.length === 0) return out;
  if (single) {
    out.set(first!, chunkRange(block, keys, null, maxPoints));
    return out;
  }
  for (let i = 0; i < block.length; i++) {
    const s = block.runSlots[i]!;
    let list = bySlot.get(s);
    if (!list) bySlot.set(s, (list = []));
    list.push(i);
  }
  for (const [slot, idx] of bySlot) out.set(slot, chunkRange(block, keys, idx, maxPoints));
  return out;
}

function chunkRange(block: MetricBlock, keys: readonly string[], idx: number[] | null, maxPoints: number): MetricColumns[] {
  const n = idx ? idx.length : block.length;
  const chunks: MetricColumns[] = [];
  const local = new Map<number, number>();
  for (let start = 0; start < n; start += maxPoints) {
    const len = Math.min(maxPoints, n - start);
    const c: MetricColumns = {
      keys: [],
      keyIds: new Uint32Array(len),
      values: new Float64Array(len),
      steps: new Float64Array(len),
      timestamps: new Float64Array(len),
    };
    local.clear();
    for (let j = 0; j < len; j++) {
      const i = idx ? idx[start + j]! : start + j;
      const g = block.keyIds[i]!;
      let l = local.get(g);
      if (l === undefined) {
        l = c.keys.length;
        c.keys.push(keys[g]!);
        local.set(g, l);
      }
      c.keyIds[j] = l;
      c.values[j] = block.values[i]!;
      c.steps[j] = block.steps[i]!;
      c.timestamps[j] = block.timestamps[i]!;
    }
    chunks.push(c);
  }
  return chunks;
}
