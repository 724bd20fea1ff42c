/**
 * The "latest value" rule shared by every store: a point replaces the latest one when it is
 * larger by (step, timestamp, value). That is Python's `max()` over MLflow's metric tuples, so a
 * NaN never wins a tie and an earlier NaN is not displaced by a tie either, exactly as MLflow's
 * file store behaves.
 *
 * @module
 */

/** The latest point of one metric key. */
export type LatestPoint = { value: number; step: number; timestamp: number };

/** True when the point (step, timestamp, value) should replace `latest`. */
export function isLater(latest: LatestPoint | undefined, step: number, timestamp: number, value: number): boolean {
  if (latest === undefined) return true;
  if (step !== latest.step) return step > latest.step;
  if (timestamp !== latest.timestamp) return timestamp > latest.timestamp;
  return value > latest.value;
}
