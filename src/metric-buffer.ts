/**
 * The calling thread's side of metric logging: points go into preallocated typed-array columns
 * and keys are interned once, so `logMetric` costs a few array stores and never allocates or
 * awaits. A full buffer is handed off whole (`take`) and a fresh one starts.
 *
 * @module
 */

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

  /**
   * Grows the capacity to `capacity`, keeping the waiting points (while the store is busy,
   * batches grow). One step to the final size, not doublings: each step copies everything
   * waiting, and untouched pages of a large zeroed array cost no memory until written.
   */
  grow(capacity: number): void {
    const old = this.block;
    this.capacity = capacity;
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
