import { describe, expect, it } from "vitest";
import { compareRows, compareSpec } from "../../widgets/index.js";
import { run, series } from "./fixtures.js";

const ID = (n: number) => n.toString(16).padStart(32, "0");
const runs = [run(1, { lr: "0.01", layers: "3" }, { loss: 0.5 }), run(2, { lr: "0.1", layers: "3" }, { loss: 0.3 }), run(3, { lr: "0.001", layers: "3" }, { loss: 0.7 })];

describe("compare view", () => {
  it("marks the params and metrics whose values differ between the runs", () => {
    const rows = compareRows(runs);
    expect(rows.map((r) => [r.field, r.differs])).toEqual([["params.layers", false], ["params.lr", true], ["metrics.loss", true]]);
    expect(rows[1]!.values).toEqual(["0.01", "0.1", "0.001"]);
  });

  it("has a table, curves, parallel coordinates over the differing params and a param-vs-metric scatter", () => {
    const histories = runs.map((r, i) => series(r.info.runId, "loss", 50, (s) => 1 / (s + 1 + i), r.info.runName));
    const spec = compareSpec(runs, { metric: "loss", histories }) as unknown as { vconcat: { title: { text: string } | string; data: { values: Record<string, unknown>[] } }[]; usermeta: { trackbook: { param: string; differing: string[] } } };
    expect(spec.vconcat).toHaveLength(4);
    expect(spec.usermeta.trackbook.param).toBe("lr");
    const parallel = spec.vconcat[2]!.data.values;
    expect(new Set(parallel.map((p) => p.axis))).toEqual(new Set(["params.lr", "metrics.loss"]));
    // Scaled to the selected runs: the lowest lr is at 0, the highest at 1.
    expect(parallel.filter((p) => p.axis === "params.lr").map((p) => p.position)).toEqual([(0.01 - 0.001) / (0.1 - 0.001), 1, 0]);
    const scatter = spec.vconcat[3]!.data.values;
    expect(scatter.map((p) => [p.paramNumber, p.metric])).toEqual([[0.01, 0.5], [0.1, 0.3], [0.001, 0.7]]);
  });

  it("leaves the curves out without histories", () => {
    expect((compareSpec(runs) as unknown as { vconcat: unknown[] }).vconcat).toHaveLength(3);
    expect(ID(1)).toHaveLength(32);
  });
});
