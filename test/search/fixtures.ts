/**
 * Run and experiment builders for the search tests, plus a small fixture set that covers every
 * field type, a NaN metric, a run with no data and a deleted run.
 */
import { expect } from "vitest";
import type { Experiment, LifecycleStage, Run, RunStatus } from "../../src/entities.js";
import { isTrackerError, type TrackerError } from "../../src/errors.js";

/** What a test states about a run; everything else gets a dull default. */
export type RunSpec = {
  experimentId?: string;
  status?: RunStatus;
  user?: string;
  start?: number;
  end?: number | null;
  artifactUri?: string;
  stage?: LifecycleStage;
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
};

/** A 32-hex run id made from a small number, so ids sort like the numbers. */
export function runIdOf(n: number): string {
  return n.toString(16).padStart(32, "0");
}

/** Builds a run named `name` with id {@link runIdOf}(`n`). */
export function makeRun(n: number, name: string, spec: RunSpec = {}): Run {
  const runId = runIdOf(n);
  const experimentId = spec.experimentId ?? "1";
  return {
    info: {
      runId,
      runName: name,
      experimentId,
      userId: spec.user ?? "tester",
      status: spec.status ?? "FINISHED",
      startTime: spec.start ?? 1000 * n,
      endTime: spec.end === undefined ? 1000 * n + 500 : spec.end,
      artifactUri: spec.artifactUri ?? `file:///mlruns/${experimentId}/${runId}/artifacts`,
      lifecycleStage: spec.stage ?? "active",
    },
    data: { metrics: spec.metrics ?? {}, params: spec.params ?? {}, tags: spec.tags ?? {} },
  };
}

/** What a test states about an experiment. */
export type ExperimentSpec = {
  name: string;
  created?: number;
  updated?: number;
  stage?: LifecycleStage;
  tags?: Record<string, string>;
};

/** Builds an experiment with id `id`. */
export function makeExperiment(id: string, spec: ExperimentSpec): Experiment {
  return {
    experimentId: id,
    name: spec.name,
    artifactLocation: `file:///mlruns/${id}`,
    lifecycleStage: spec.stage ?? "active",
    creationTime: spec.created ?? 1000,
    lastUpdateTime: spec.updated ?? spec.created ?? 1000,
    tags: spec.tags ?? {},
  };
}

/** Run names, for readable assertions. */
export function names(runs: readonly Run[]): string[] {
  return runs.map((r) => r.info.runName);
}

/**
 * The shared fixture set:
 * - alpha: every kind of key, including `train/loss`, `learning-rate`, `mlflow.user`, `a b`;
 * - beta: RUNNING (no end time), a NaN metric;
 * - Gamma run: experiment 2, a capitalised tag value;
 * - delta: no metrics, params or tags at all;
 * - omega: deleted.
 */
export const RUNS: readonly Run[] = [
  makeRun(1, "alpha", {
    user: "alice",
    start: 1000,
    end: 2000,
    metrics: { loss: 0.5, acc: 0.9, "train/loss": 0.25, neg: -2, tiny: 0.001 },
    params: { lr: "0.1", optimizer: "adam", "learning-rate": "0.1", path: "C:\\data\\x" },
    tags: { team: "vision", "mlflow.user": "alice", "a b": "space", note: "v1.0 (beta)+", quote: "it's" },
  }),
  makeRun(2, "beta", {
    user: "bob",
    status: "RUNNING",
    start: 3000,
    end: null,
    metrics: { loss: 1.5, acc: Number.NaN },
    params: { lr: "0.01", optimizer: "sgd" },
    tags: { team: "nlp", "mlflow.user": "bob", note: "v10 beta" },
  }),
  makeRun(3, "Gamma run", {
    experimentId: "2",
    user: "carol",
    status: "FAILED",
    start: 2000,
    end: 2500,
    metrics: { loss: 0.5 },
    params: { lr: "0.1" },
    tags: { team: "Vision" },
  }),
  makeRun(4, "delta", { user: "alice", status: "KILLED", start: 4000, end: 5000 }),
  makeRun(5, "omega", { stage: "deleted", metrics: { loss: 0.1 }, tags: { team: "vision" } }),
];

/** Catches the TrackerError `fn` throws, failing the test if it throws nothing or something else. */
export function catchTrackerError(fn: () => unknown): TrackerError {
  try {
    fn();
  } catch (e) {
    expect(isTrackerError(e), `expected a TrackerError, got ${String(e)}`).toBe(true);
    return e as TrackerError;
  }
  throw new Error("expected a TrackerError, but nothing was thrown");
}
