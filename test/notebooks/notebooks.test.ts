import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openTracker } from "../../src/tracker.js";
import { ensureBuilt, ROOT } from "../helpers/build.js";
import { jupyterPython, type CellOutput } from "../helpers/jupyter.js";
import { requirePeer } from "../helpers/peers.js";

const python = jupyterPython();
const present = requirePeer("Jupyter (nbclient) for the tslab kernel", python !== undefined, "install nbclient, nbformat, jupyter_client and ipython into ~/.cache/trackbook/peers-jupyter or set PEER_JUPYTER_PYTHON; .ci/run does");

type Notebook = { cells: { cell_type: string; source: string | string[]; outputs?: CellOutput[] }[] };
const text = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));

/** The notebooks' displays, as `text/plain` → whole output, after checking each carries all three mimes. */
function displays(nb: Notebook): string[] {
  const out: string[] = [];
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      if (o.output_type !== "display_data") continue;
      const data = o.data!;
      expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "text/html", "text/plain"]);
      expect((data["application/vnd.vegalite.v5+json"] as { $schema: string }).$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
      expect(text(data["text/html"] as string)).toMatch(/<img [^>]*src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]{200,}"/);
      out.push(text(data["text/plain"] as string));
    }
  }
  return out;
}

describe.skipIf(!present)("the notebooks, run headless in a real tslab kernel", () => {
  const dir = mkdtempSync(join(tmpdir(), "tb-notebooks-"));
  let run: ReturnType<typeof spawnSync>;
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8")) as Notebook;

  beforeAll(() => {
    ensureBuilt();
    run = spawnSync(process.execPath, [join(ROOT, "scripts/notebooks.mjs"), "--out", dir], { encoding: "utf8", timeout: 600_000, env: { ...process.env, PEER_JUPYTER_PYTHON: python } });
  }, 620_000);

  it("runs every numbered notebook with no cell error, and each kernel exits by itself after its last cell", () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const names = readdirSync(join(ROOT, "notebooks")).filter((f) => /^\d\d-.*\.ipynb$/.test(f));
    expect(names).toEqual(["01-quickstart.ipynb", "02-compare.ipynb", "03-share.ipynb"]);
    for (const name of names) expect(run.stdout).toMatch(new RegExp(`${name}: \\d+ code cells ran in [\\d.]+ s; the kernel exited [\\d.]+ s after the last cell`));
    for (const name of names) {
      const streams = read(name).cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error" || (o.output_type === "stream" && (o as { name?: string }).name === "stderr"));
      expect(streams, `${name} wrote to stderr`).toEqual([]);
    }
  });

  it("shows charts, the compare view and run tables as Vega-Lite v5 with an <img> fallback", () => {
    expect(displays(read("01-quickstart.ipynb"))).toEqual([
      "<metric chart: loss over 1 run(s), 80 points>", // the live chart, after its last update
      "<metric chart: loss, w, b over 1 run(s), 240 points>",
      "<run table: 1 of 1 runs>",
    ]);
    expect(displays(read("02-compare.ipynb"))).toEqual(["<compare view: 5 runs, metric loss>", "<run table: 3 of 3 runs>"]);
    expect(displays(read("03-share.ipynb"))).toEqual(["<run table: 7 of 7 runs>"]);
  });

  it("leaves the runs it logged in ./trackbook-runs beside the notebooks, found by searchRuns, marked with their notebook", async () => {
    const tb = await openTracker(`arrow:${join(dir, "trackbook-runs")}`);
    try {
      const exps = new Map((await tb.searchExperiments()).experiments.map((e) => [e.name, e.experimentId]));
      const quick = (await tb.searchRuns({ experimentIds: [exps.get("quickstart")!] })).runs;
      expect(quick.map((r) => [r.info.runName, r.info.status, r.data.params.lr])).toEqual([["quickstart", "FINISHED", "0.3"]]);
      expect(quick[0]!.data.tags["mlflow.source.type"]).toBe("NOTEBOOK");
      expect(quick[0]!.data.tags["mlflow.source.name"]).toBe(join(dir, "01-quickstart.ipynb"));
      expect((await tb.getMetricHistory(quick[0]!.info.runId, "loss")).values).toHaveLength(80);
      const sweep = (await tb.searchRuns({ experimentIds: [exps.get("lr-sweep")!], orderBy: ["attributes.run_name ASC"] })).runs;
      const parent = sweep.find((r) => r.info.runName === "sweep")!;
      const children = sweep.filter((r) => r.data.tags["mlflow.parentRunId"] === parent.info.runId);
      expect(children.map((r) => r.data.params.lr).sort()).toEqual(["0.01", "0.03", "0.1", "0.3", "0.6"]);
      const converged = await tb.searchRuns({ experimentIds: [exps.get("lr-sweep")!], filter: "metrics.loss < 0.01" });
      const low = children.filter((c) => c.data.metrics.loss! < 0.01).map((r) => r.info.runName);
      expect(low.length).toBeGreaterThan(0);
      expect(converged.runs.map((r) => r.info.runName).sort()).toEqual(low.sort());
    } finally {
      await tb.close();
    }
    // 03-share's colleague imported the bundle into a store of their own.
    const colleague = await openTracker(`arrow:${join(dir, "colleague-runs")}`);
    try {
      const ids = (await colleague.searchExperiments()).experiments.map((e) => e.experimentId);
      expect((await colleague.searchRuns({ experimentIds: ids })).runs).toHaveLength(7);
    } finally {
      await colleague.close();
    }
  });
});
