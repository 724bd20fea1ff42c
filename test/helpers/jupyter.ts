/**
 * A real Jupyter client (Python nbclient) driving a real tslab kernel, for the notebook tests.
 *
 * Python: PEER_JUPYTER_PYTHON, else ~/.cache/trackbook/peers-jupyter/bin/python (what .ci/run
 * installs), with nbclient, nbformat, jupyter_client and IPython. The tslab kernelspec is
 * registered with `tslab install --prefix` into a folder of this test run, and JUPYTER_PATH
 * points there, so nothing outside the run is touched.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./build.js";

const candidate = process.env.PEER_JUPYTER_PYTHON ?? join(homedir(), ".cache/trackbook/peers-jupyter/bin/python");

/** The Python with nbclient, or undefined. */
export function jupyterPython(): string | undefined {
  if (!existsSync(candidate)) return undefined;
  const r = spawnSync(candidate, ["-c", "import nbclient, nbformat, jupyter_client, IPython"], { encoding: "utf8" });
  return r.status === 0 ? candidate : undefined;
}

/** Registers the tslab kernel of this repo's node_modules into a fresh prefix; returns the env to run Jupyter with. */
export function tslabEnv(python: string): NodeJS.ProcessEnv {
  const prefix = mkdtempSync(join(tmpdir(), "tb-jupyter-"));
  const tslab = join(ROOT, "node_modules/.bin/tslab");
  execFileSync(process.execPath, [tslab, "install", `--python=${python}`, `--prefix=${prefix}`, `--binary=${tslab}`], { stdio: "pipe" });
  return {
    ...process.env,
    JUPYTER_PATH: join(prefix, "share/jupyter"),
    JUPYTER_RUNTIME_DIR: join(prefix, "runtime"),
    JUPYTER_DATA_DIR: join(prefix, "data"),
    JUPYTER_CONFIG_DIR: join(prefix, "config"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
}

/**
 * A folder where `import … from "trackbook"` resolves to this repo's built package, as it would
 * after `npm install trackbook` (node_modules/trackbook links to the repo root).
 */
export function notebookFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "tb-notebook-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules/trackbook"), "dir");
  return dir;
}

/** One output of a cell, as nbformat stores it. */
export type CellOutput = { output_type: string; data?: Record<string, unknown>; text?: string; ename?: string; evalue?: string; transient?: object; metadata?: object };

// A kernel that ends while starting (tslab 1.0's socket-binding race, see scripts/run-notebook.py)
// is started once more; cells run only once a kernel has answered kernel_info.
const RUNNER = `
import json, sys, nbformat
from contextlib import ExitStack
from nbclient import NotebookClient
cells, folder = json.load(open(sys.argv[1])), sys.argv[2]
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "tslab", "display_name": "TypeScript", "language": "typescript"}
nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
with ExitStack() as stack:
    for attempt in (1, 2):
        client = NotebookClient(nb, kernel_name="tslab", timeout=120, allow_errors=True, resources={"metadata": {"path": folder}})
        try:
            stack.enter_context(client.setup_kernel())
            break
        except (RuntimeError, TimeoutError):
            if attempt == 2:
                raise
    for index, cell in enumerate(nb.cells):
        client.execute_cell(cell, index)
print("@@OUTPUTS@@" + json.dumps([c.get("outputs", []) for c in nb.cells]))
`;

/** Runs `cells` in a fresh tslab kernel with `folder` as its working folder; returns each cell's outputs. */
export function runCells(python: string, env: NodeJS.ProcessEnv, folder: string, cells: string[]): CellOutput[][] {
  const file = join(folder, "cells.json");
  writeFileSync(file, JSON.stringify(cells));
  const r = spawnSync(python, ["-c", RUNNER, file, folder], { env, encoding: "utf8", timeout: 240_000, maxBuffer: 64 << 20 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("@@OUTPUTS@@"));
  if (r.status !== 0 || !line) throw new Error(`nbclient failed (exit ${r.status}):\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`);
  return JSON.parse(line.slice("@@OUTPUTS@@".length)) as CellOutput[][];
}
