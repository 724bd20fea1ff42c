// `npm run notebooks`: executes every notebooks/NN-*.ipynb top to bottom in a real tslab kernel,
// headless, and saves the outputs into the notebook (or, with --out DIR, into copies in DIR, which
// is what the tests do). Stops at the first notebook with a failing cell, printing the cell's
// error, or whose kernel does not exit by itself after its last cell.
//
// usage: node scripts/notebooks.mjs [--out DIR] [NAME …]      (NAME: a part of a file name)
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { findPython, linkPackage, requireBuild, ROOT, tslabKernelEnv } from "./jupyter-env.mjs";

const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const out = outAt >= 0 ? resolve(args[outAt + 1]) : undefined;
const only = args.filter((_, i) => outAt < 0 || (i !== outAt && i !== outAt + 1));

requireBuild();
const python = findPython(["nbclient", "nbformat", "jupyter_client", "IPython"]);
if (!python) {
  console.error("No Python with Jupyter found. Install one: python3 -m pip install nbclient ipython (or set PEER_JUPYTER_PYTHON).");
  process.exit(1);
}
const env = tslabKernelEnv(python);

const source = join(ROOT, "notebooks");
const names = readdirSync(source).filter((f) => /^\d\d-.*\.ipynb$/.test(f) && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
const dir = out ?? source;
mkdirSync(dir, { recursive: true });
// A clean run: the notebooks' own store starts empty, so the saved outputs show only what they log.
for (const made of ["trackbook-runs", "colleague-runs", "bundles"]) rmSync(join(dir, made), { recursive: true, force: true });
linkPackage(dir);

for (const name of names) {
  if (out) copyFileSync(join(source, name), join(dir, name));
  const r = spawnSync(python, [join(ROOT, "scripts/run-notebook.py"), join(dir, name)], { env, stdio: "inherit", cwd: dir });
  if (r.status !== 0) {
    console.error(`notebooks: ${name} failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
}
console.log(`notebooks: ${names.length} ran with no cell error${out ? `; executed copies in ${out}` : ""}.`);
