import { describe, expect, it } from "vitest";
import type { Run } from "../../src/entities.js";
import { runColor, runTableHtml, runTableModel } from "../../widgets/index.js";

function run(i: number, name: string, params: Record<string, string>, metrics: Record<string, number>): Run {
  const runId = i.toString(16).padStart(32, "0");
  return {
    info: { runId, runUuid: runId, runName: name, experimentId: "0", userId: "u", status: "FINISHED", startTime: 1_700_000_000_000 + i, endTime: null, artifactUri: "", lifecycleStage: "active" },
    data: { params, metrics, tags: {} },
  } as Run;
}

describe("run table as HTML", () => {
  const runs = [run(1, "a <b>", { lr: "0.1" }, { loss: 0.5 }), run(2, "b", { lr: "0.01" }, { loss: 0.25 })];

  it("has a header of column titles and one row per run in the model's order, text escaped", () => {
    const html = runTableHtml(runTableModel(runs, { columns: ["attributes.run_name", "params.lr", "metrics.loss"], orderBy: ["metrics.loss ASC"] }));
    expect(html).toContain('<th title="attributes.run_name">run</th><th title="params.lr">lr</th><th title="metrics.loss">loss</th>');
    const rows = [...html.matchAll(/<tr><td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(rows).toEqual(["b", "a &lt;b&gt;"]);
    expect(html).toContain(`border-left:4px solid ${runColor(runs[0]!.info.runId)}`);
    expect(html).toContain("<caption style=\"text-align:left\">2 of 2 runs</caption>");
  });

  it("shows the first rows only and says so", () => {
    const many = Array.from({ length: 60 }, (_, i) => run(i + 10, `r${i}`, {}, { loss: i }));
    const html = runTableHtml(runTableModel(many), { maxRows: 5 });
    expect(html.match(/<tr><td/g)).toHaveLength(5);
    expect(html).toContain("60 of 60 runs (first 5 shown)");
  });
});
