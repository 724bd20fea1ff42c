import { describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { jupyterPython, notebookFolder, runCells, tslabEnv } from "../helpers/jupyter.js";
import { requirePeer } from "../helpers/peers.js";

const python = jupyterPython();
const present = requirePeer("Jupyter (nbclient) for the tslab kernel", python !== undefined, "install nbclient, nbformat, jupyter_client and ipython into ~/.cache/trackbook/peers-jupyter or set PEER_JUPYTER_PYTHON; .ci/run does");

describe.skipIf(!present)("widgets in a real tslab kernel", () => {
  it("a cell's output holds the Vega-Lite v5 spec, an HTML fallback with an <img>, and plain text", async () => {
    ensureBuilt();
    const outputs = runCells(python!, tslabEnv(python!), notebookFolder(), [
      `import { metricChartSpec, runTableSpec, display } from "trackbook/widgets";`,
      `await display(metricChartSpec([{ runId: "0".repeat(32), runName: "r", key: "loss", steps: [0, 1, 2], values: [3, 2, 1], timestamps: [0, 1, 2] }]));`,
      `await display(runTableSpec([]));`,
      `import { openTracker } from "trackbook";\nconst tb = await openTracker("memory:");\nconst run = await tb.startRun({ runName: "in-a-cell" });\nrun.logMetric("loss", 0.5, 1);\nawait run.end();`,
      `await tb.searchRuns()`,
    ]);
    const errors = outputs.flat().filter((o) => o.output_type === "error" || (o.output_type === "stream" && /error/i.test(o.text ?? "")));
    expect(errors).toEqual([]);
    for (const cell of [outputs[1]!, outputs[2]!]) {
      const shown = cell.filter((o) => o.output_type === "display_data");
      expect(shown).toHaveLength(1);
      const data = shown[0]!.data!;
      expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "text/html", "text/plain"]);
      expect((data["application/vnd.vegalite.v5+json"] as { $schema: string }).$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
      expect(data["text/html"]).toMatch(/<img [^>]*src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]{200,}"/);
    }
    expect(outputs[1]![0]!.data!["text/plain"]).toBe("<metric chart: loss over 1 run(s), 3 points>");
    // A search result as the cell's last value draws itself as a run table.
    const table = outputs[4]!.find((o) => o.output_type === "display_data");
    expect(table?.data?.["text/plain"]).toBe("<run table: 1 of 1 runs>");
    expect(JSON.stringify(table?.data?.["application/vnd.vegalite.v5+json"])).toContain("in-a-cell");
    // …and carries an HTML table for front ends that do not render Vega-Lite.
    expect(table?.data?.["text/html"]).toMatch(/^<table class="trackbook-run-table">.*<td[^>]*>in-a-cell<\/td>/);
  }, 240_000);
});
