/** Runs and histories the widget tests build specs from. */
import type { Run } from "../../src/entities.js";
import type { ChartSeries } from "../../widgets/index.js";

export const ID = (n: number) => n.toString(16).padStart(32, "0");

export function series(runId: string, key: string, n: number, f: (i: number) => number, runName?: string): ChartSeries {
  return {
    runId,
    ...(runName ? { runName } : {}),
    key,
    steps: Float64Array.from({ length: n }, (_, i) => i),
    values: Float64Array.from({ length: n }, (_, i) => f(i)),
    timestamps: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 100),
  };
}

export function run(n: number, params: Record<string, string>, metrics: Record<string, number>, name = `run-${n}`): Run {
  return {
    info: { runId: ID(n), runName: name, experimentId: "0", userId: "me", status: "FINISHED", startTime: 1_700_000_000_000 + n * 1000, endTime: 1_700_000_100_000 + n * 1000, artifactUri: `file:///tmp/${ID(n)}`, lifecycleStage: "active" },
    data: { params, metrics, tags: { team: "vision", "mlflow.user": "me" } },
  };
}

