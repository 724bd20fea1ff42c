/**
 * Contract, as a property: a batch with one invalid entry, anywhere among valid ones, is
 * rejected whole and leaves the run exactly as it was; without that entry it is accepted.
 *
 * @module
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KeyValue, LogBatch, MetricColumns } from "../../src/entities.js";
import { LIMITS } from "../../src/validation.js";
import {
  expectRunUnchanged,
  expectTrackerError,
  looseCols,
  snapshotRun,
  T0,
  type ContractContext,
  type LoosePoint,
} from "./contract-helpers.js";

const METRIC_KEYS = ["loss", "acc", "train/loss", "精度", "é/ß"] as const;
const PARAM_KEYS = ["lr", "optimizer", "layers", "dropout", "seed", "模型"] as const;
const TAG_KEYS = ["team", "note", "mlflow.note.content", "é/ß"] as const;
const BAD_KEYS = ["", "a//b", "/a", "a/", "./a", "..a", "#", "😀"] as const;

type KV = { key: unknown; value: unknown };
type Entry = { metrics: LoosePoint[]; params: KV[]; tags: KV[] };

/** Which single invalid entry goes into the batch. */
type Fault =
  | { kind: "metricKey"; key: string }
  | { kind: "metricValue"; value: unknown }
  | { kind: "metricTimestamp"; timestamp: unknown }
  | { kind: "metricStep"; step: unknown }
  | { kind: "paramKey"; key: string }
  | { kind: "paramValue"; value: unknown }
  | { kind: "paramDuplicate" }
  | { kind: "paramChanged" }
  | { kind: "tagKey"; key: string }
  | { kind: "tagValue"; value: unknown };

const badKey = fc.constantFrom(...BAD_KEYS);
const fault: fc.Arbitrary<Fault> = fc.oneof(
  badKey.map((key) => ({ kind: "metricKey" as const, key })),
  fc.constantFrom<unknown>("x", "1", true, 1n, null, undefined, {}).map((value) => ({ kind: "metricValue" as const, value })),
  fc.constantFrom<unknown>(-1, 0.5, Number.NaN, Infinity, "0").map((timestamp) => ({ kind: "metricTimestamp" as const, timestamp })),
  fc.constantFrom<unknown>(0.5, -1.25, Number.NaN, Infinity, "1").map((step) => ({ kind: "metricStep" as const, step })),
  badKey.map((key) => ({ kind: "paramKey" as const, key })),
  fc.constantFrom<unknown>("v".repeat(LIMITS.maxParamValueLength + 1), 3, null).map((value) => ({ kind: "paramValue" as const, value })),
  fc.constant({ kind: "paramDuplicate" as const }),
  fc.constant({ kind: "paramChanged" as const }),
  badKey.map((key) => ({ kind: "tagKey" as const, key })),
  fc.constantFrom<unknown>("v".repeat(LIMITS.maxRunTagValueLength + 1), false, undefined).map((value) => ({ kind: "tagValue" as const, value })),
);

const validPoint: fc.Arbitrary<LoosePoint> = fc.record({
  key: fc.constantFrom(...METRIC_KEYS),
  value: fc.double(),
  step: fc.integer({ min: -1000, max: 1000 }),
  timestamp: fc.integer({ min: 0, max: 4_000_000_000_000 }),
});

const validEntries: fc.Arbitrary<Entry> = fc.record({
  metrics: fc.array(validPoint, { maxLength: 12 }),
  params: fc.uniqueArray(
    fc.record({ key: fc.constantFrom(...PARAM_KEYS), value: fc.string({ maxLength: 12 }) }),
    { selector: (p) => p.key, maxLength: PARAM_KEYS.length },
  ),
  tags: fc.array(fc.record({ key: fc.constantFrom(...TAG_KEYS), value: fc.string({ maxLength: 12 }) }), { maxLength: 6 }),
});

function insertAt<T>(list: readonly T[], position: number, item: T): T[] {
  const i = position % (list.length + 1);
  return [...list.slice(0, i), item, ...list.slice(i)];
}

/** The valid entries with the one fault inserted at `position` within its own list. */
function withFault(e: Entry, f: Fault, position: number): Entry {
  const okPoint: LoosePoint = { key: "loss", value: 1, step: 0, timestamp: T0 };
  switch (f.kind) {
    case "metricKey":
      return { ...e, metrics: insertAt(e.metrics, position, { ...okPoint, key: f.key }) };
    case "metricValue":
      return { ...e, metrics: insertAt(e.metrics, position, { ...okPoint, value: f.value }) };
    case "metricTimestamp":
      return { ...e, metrics: insertAt(e.metrics, position, { ...okPoint, timestamp: f.timestamp }) };
    case "metricStep":
      return { ...e, metrics: insertAt(e.metrics, position, { ...okPoint, step: f.step }) };
    case "paramKey":
      return { ...e, params: insertAt(e.params, position, { key: f.key, value: "v" }) };
    case "paramValue":
      return { ...e, params: insertAt(e.params, position, { key: "fresh", value: f.value }) };
    case "paramDuplicate": {
      // Repeat a param of this batch (or add "fresh" twice), with the same value.
      const dup = e.params[position % Math.max(1, e.params.length)] ?? { key: "fresh", value: "1" };
      const base = e.params.length > 0 ? e.params : [dup];
      return { ...e, params: insertAt(base, position + 1, { ...dup }) };
    }
    case "paramChanged":
      // "base" was logged as "0" before the batch.
      return { ...e, params: insertAt(e.params, position, { key: "base", value: "1" }) };
    case "tagKey":
      return { ...e, tags: insertAt(e.tags, position, { key: f.key, value: "v" }) };
    case "tagValue":
      return { ...e, tags: insertAt(e.tags, position, { key: "fresh", value: f.value }) };
  }
}

/** Typed-array columns when every point is valid (the normal shape); plain arrays otherwise. */
function toBatch(e: Entry, plainColumns: boolean): LogBatch {
  const metrics: MetricColumns = looseCols(e.metrics);
  const batch: LogBatch = {
    metrics: plainColumns
      ? metrics
      : {
          keys: metrics.keys,
          keyIds: metrics.keyIds,
          values: Float64Array.from(metrics.values),
          steps: Float64Array.from(metrics.steps),
          timestamps: Float64Array.from(metrics.timestamps),
        },
    params: e.params as KeyValue[],
    tags: e.tags as KeyValue[],
  };
  return batch;
}

export function atomicityContract(ctx: ContractContext): void {
  describe("atomic batches (property)", () => {
    it("rejects a batch with one invalid entry anywhere and leaves the run unchanged", { timeout: 120_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(validEntries, fault, fc.nat({ max: 100 }), async (entries, f, position) => {
          const run = await ctx.store.createRun({ experimentId: "0", runName: "prop" });
          const id = run.info.runId;
          await ctx.store.logBatch(id, {
            metrics: toBatch({ metrics: [{ key: "loss", value: 0.5, step: 0, timestamp: T0 }], params: [], tags: [] }, false).metrics!,
            params: [{ key: "base", value: "0" }],
            tags: [{ key: "team", value: "vision" }],
          });
          const keys = [...METRIC_KEYS];
          const before = await snapshotRun(ctx.store, id, keys);

          const bad = withFault(entries, f, position);
          const plain = f.kind === "metricValue" || f.kind === "metricTimestamp" || f.kind === "metricStep";
          await expectTrackerError(ctx.store.logBatch(id, toBatch(bad, plain)), "INVALID_PARAMETER_VALUE");
          await expectRunUnchanged(ctx.store, before, keys);

          // The same batch without the fault is valid: the rejection was the fault's doing.
          await ctx.store.logBatch(id, toBatch(entries, false));
          const after = await ctx.store.getRun(id);
          for (const p of entries.params) expect(after.data.params[p.key as string]).toBe(p.value);
          for (const k of new Set(entries.metrics.map((m) => m.key as string))) {
            const h = await ctx.store.getMetricHistory(id, k);
            const expected = (k === "loss" ? 1 : 0) + entries.metrics.filter((m) => m.key === k).length;
            expect(h.values.length).toBe(expected);
          }
        }),
        { numRuns: 60 },
      );
    });
  });
}
