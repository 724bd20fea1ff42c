import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openArrowStore } from "../../src/store/arrow/index.js";
import { ensureBuilt, ROOT } from "../helpers/build.js";
import { jupyterPython, notebookFolder, runCells, tslabEnv } from "../helpers/jupyter.js";
import { requirePeer } from "../helpers/peers.js";

const python = jupyterPython();
const present = requirePeer("Jupyter (nbclient) for the tslab kernel", python !== undefined, "install nbclient, nbformat, jupyter_client and ipython into ~/.cache/trackbook/peers-jupyter or set PEER_JUPYTER_PYTHON; .ci/run does");

/** Writes a notebook of `cells` into `dir` and runs it with scripts/run-notebook.py, as `npm run notebooks` does. */
function runNotebook(dir: string, cells: string[]) {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: "code", source, metadata: {}, outputs: [], execution_count: null })),
  };
  const file = join(dir, "check.ipynb");
  writeFileSync(file, JSON.stringify(nb));
  return spawnSync(python!, [join(ROOT, "scripts/run-notebook.py"), file], { env: tslabEnv(python!), encoding: "utf8", timeout: 240_000 });
}

describe.skipIf(!present)("trackbook in a real tslab kernel", () => {
  it("reports a failing cell with its cause, not a bare <Error>", () => {
    ensureBuilt();
    const r = runNotebook(notebookFolder(), [
      `import { startRun } from "trackbook";`,
      `const run = await startRun({ runName: "bad" });\nrun.logParam("lr", 0.1);\nrun.logParam("lr", 0.2);\nawait run.end();`,
      `console.log("never runs");`,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("check.ipynb: code cell 2 failed:");
    // MLflow's rule, in trackbook's words: a param cannot change once logged.
    expect(r.stderr).toMatch(/TrackerError: .*lr.*/);
    expect(r.stderr).toContain("INVALID_PARAMETER_VALUE");
    expect(r.stderr).not.toMatch(/^<Error>/m);
  }, 240_000);

  it("answers a second startRun while a run is active with a message saying how to end it", () => {
    ensureBuilt();
    const out = runCells(python!, tslabEnv(python!), notebookFolder(), [
      `import { startRun, endRun } from "trackbook";\nconst first = await startRun({ runName: "first" });`,
      // The same cell run again, as a user re-running it would.
      `const again = await startRun({ runName: "first" });`,
      `await endRun();`,
    ]);
    const stderr = out[1]!.filter((o) => o.output_type === "stream").map((o) => o.text ?? "").join("");
    expect(stderr).toContain("is already active. End it first with await run.end() (or endRun()), or pass { nested: true } to start a child run.");
    expect(stderr).toMatch(/^TrackerError: /);
  }, 240_000);

  it("exits by itself after the last cell with a run left open, storing it FINISHED and releasing the store", async () => {
    ensureBuilt();
    const dir = notebookFolder();
    const r = runNotebook(dir, [`import { startRun } from "trackbook";\nconst run = await startRun({ runName: "left-open" });\nfor (let i = 0; i < 5000; i++) run.logMetric("x", i, i);`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the kernel exited [\d.]+ s after the last cell/);
    expect(existsSync(join(dir, "trackbook-runs/.lock"))).toBe(false);
    const store = await openArrowStore(join(dir, "trackbook-runs"), { readOnly: true });
    try {
      const [run] = (await store.searchRuns({ experimentIds: ["0"] })).runs;
      expect(run!.info.runName).toBe("left-open");
      expect(run!.info.status).toBe("FINISHED");
      expect((await store.getMetricHistory(run!.info.runId, "x")).values).toHaveLength(5000);
    } finally {
      await store.close();
    }
  }, 240_000);
});
