import { describe, expect, it } from "vitest";
import { runTableModel, runTableSpec } from "../../widgets/index.js";
import { run } from "./fixtures.js";

const runs = [run(1, { lr: "0.01" }, { loss: 0.5 }), run(2, { lr: "0.1" }, { loss: 0.3, lr: 9 }), run(3, { lr: "0.001", opt: "sgd" }, { loss: 0.7 })];

describe("run table", () => {
  it("shows name, status, times, then every param, metric and user tag, newest run first", () => {
    const m = runTableModel(runs);
    expect(m.columns.map((c) => c.field)).toEqual(["attributes.run_name", "attributes.status", "attributes.start_time", "attributes.duration", "params.lr", "params.opt", "metrics.loss", "metrics.lr", "tags.team"]);
    expect(m.rows.map((r) => r.cells[0])).toEqual(["run-3", "run-2", "run-1"]);
    expect(m.rows[0]!.cells[5]).toBe("sgd");
    expect(m.rows[1]!.cells[5]).toBeNull();
  });

  it("titles a param and a metric of the same key by their full names", () => {
    const titles = runTableModel(runs).columns.map((c) => c.title);
    expect(titles).toContain("params.lr");
    expect(titles).toContain("metrics.lr");
    expect(titles).toContain("loss");
  });

  it("filters and orders with the search grammar", () => {
    const m = runTableModel(runs, { filter: "metrics.loss < 0.6", orderBy: ["metrics.loss ASC"], columns: ["attributes.run_name", "metrics.loss"] });
    expect(m.rows.map((r) => r.cells)).toEqual([["run-2", 0.3], ["run-1", 0.5]]);
    expect(m.total).toBe(3);
  });

  it("rejects an unknown column and a bad filter with messages that say what to write", () => {
    expect(() => runTableModel(runs, { columns: ["loss"] })).toThrow(/params\.<key>, metrics\.<key>/);
    expect(() => runTableModel(runs, { filter: "metrics.loss <" })).toThrow();
  });

  it("draws at most maxRows rows and says how many matched", () => {
    const many = Array.from({ length: 120 }, (_, i) => run(i + 1, { lr: String(i) }, { loss: i }));
    const spec = runTableSpec(many, { maxRows: 50 }) as unknown as { data: { values: { row: number }[] }; title: { text: string } };
    expect(Math.max(...spec.data.values.map((c) => c.row))).toBe(50);
    expect(spec.title.text).toBe("120 of 120 runs (first 50 shown)");
  });
});
