/**
 * Regrouping a run's metric columns (keys interleaved, as logged) into one column set per key,
 * in logging order, and folding them into the run's latest values.
 *
 * @module
 */
import type { MetricColumns } from "../../entities.js";
import { isLater, type LatestPoint } from "../latest.js";
import type { Points } from "./chunks.js";

/** Per key, its points from `batches` in logging order. A lone key of a lone batch is not copied. */
export function groupByKey(batches: readonly MetricColumns[]): Map<string, Points> {
  const out = new Map<string, Points>();
  if (batches.length === 1 && batches[0]!.keys.length === 1) {
    const m = batches[0]!;
    if (m.values.length > 0) out.set(m.keys[0]!, { steps: m.steps, values: m.values, timestamps: m.timestamps });
    return out;
  }
  const counts = new Map<string, number>();
  for (const m of batches) {
    const per = new Uint32Array(m.keys.length);
    for (let i = 0; i < m.keyIds.length; i++) per[m.keyIds[i]!]++;
    m.keys.forEach((k, id) => per[id]! > 0 && counts.set(k, (counts.get(k) ?? 0) + per[id]!));
  }
  const at = new Map<string, number>();
  for (const [k, n] of counts) {
    out.set(k, { steps: new Float64Array(n), values: new Float64Array(n), timestamps: new Float64Array(n) });
    at.set(k, 0);
  }
  for (const m of batches) {
    // A key listed twice in one batch shares one fill position (its first id's).
    const canon = Uint32Array.from(m.keys, (k) => m.keys.indexOf(k));
    const targets = m.keys.map((k) => out.get(k)!);
    const steps = targets.map((t) => t.steps);
    const values = targets.map((t) => t.values);
    const timestamps = targets.map((t) => t.timestamps);
    const fill = Uint32Array.from(m.keys, (k) => at.get(k) ?? 0);
    const { keyIds, steps: ss, values: vs, timestamps: ts } = m;
    for (let i = 0, n = keyIds.length; i < n; i++) {
      const id = canon[keyIds[i]!]!;
      const j = fill[id]!++;
      steps[id]![j] = ss[i]!;
      values[id]![j] = vs[i]!;
      timestamps[id]![j] = ts[i]!;
    }
    m.keys.forEach((k, id) => canon[id] === id && at.set(k, fill[id]!));
  }
  return out;
}

/** Folds `points` of `key` into `latest` (changed in place) by the shared latest-value rule. */
export function foldLatest(latest: Record<string, LatestPoint>, key: string, points: Points): void {
  let best = latest[key];
  const { steps, values, timestamps } = points;
  for (let i = 0; i < steps.length; i++) {
    if (isLater(best, steps[i]!, timestamps[i]!, values[i]!)) best = { step: steps[i]!, value: values[i]!, timestamp: timestamps[i]! };
  }
  if (best !== undefined) latest[key] = best;
}
