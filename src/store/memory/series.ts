/**
 * A growable columnar metric series (steps, values, timestamps as Float64Arrays), doubling its
 * capacity as it fills, so appending a batch is a few `set` calls and reading it is three slices.
 *
 * @module
 */
import type { MetricHistory } from "../../entities.js";

/** Columns of one metric key, appended in logging order. */
export class Series {
  length = 0;
  private steps = new Float64Array(16);
  private values = new Float64Array(16);
  private timestamps = new Float64Array(16);

  /** Appends one point. */
  push(step: number, value: number, timestamp: number): void {
    if (this.length === this.steps.length) this.grow(this.length * 2);
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.timestamps[this.length] = timestamp;
    this.length++;
  }

  /** A copy of the whole series. */
  toHistory(key: string): MetricHistory {
    return {
      key,
      steps: this.steps.slice(0, this.length),
      values: this.values.slice(0, this.length),
      timestamps: this.timestamps.slice(0, this.length),
    };
  }

  private grow(capacity: number): void {
    const grown = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.steps = grown(this.steps);
    this.values = grown(this.values);
    this.timestamps = grown(this.timestamps);
  }
}

/** An empty history for a key a run never logged. */
export function emptyHistory(key: string): MetricHistory {
  return { key, steps: new Float64Array(0), values: new Float64Array(0), timestamps: new Float64Array(0) };
}
