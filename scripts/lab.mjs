// `npm run lab`: JupyterLab on notebooks/ with this repo's tslab kernel, in one command. Uses a
// Python that has JupyterLab (PEER_JUPYTER_PYTHON, .jupyter/venv, or python3); when there is none
// it makes .jupyter/venv and installs JupyterLab from PyPI into it, once. Extra arguments go to
// JupyterLab (e.g. `npm run lab -- --no-browser --port 8899`).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findPython, JUPYTER_PREFIX, linkPackage, requireBuild, ROOT, tslabKernelEnv } from "./jupyter-env.mjs";

requireBuild();
let python = findPython(["jupyterlab"]);
if (!python) {
  const venv = join(JUPYTER_PREFIX, "venv");
  console.log(`No JupyterLab found: installing it into ${venv} (once; needs PyPI).`);
  if (!existsSync(join(venv, "bin/python"))) run("python3", ["-m", "venv", venv]);
  run(join(venv, "bin/python"), ["-m", "pip", "install", "--quiet", "jupyterlab>=4,<5"]);
  python = join(venv, "bin/python");
}
const env = tslabKernelEnv(python);
linkPackage(join(ROOT, "notebooks"));
console.log("Starting JupyterLab on notebooks/ with the TypeScript (tslab) kernel; Ctrl+C stops it.");
const r = spawnSync(python, ["-m", "jupyterlab", `--notebook-dir=${join(ROOT, "notebooks")}`, ...process.argv.slice(2)], { env, stdio: "inherit" });
process.exit(r.status ?? 1);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`\`${cmd} ${args.join(" ")}\` failed; install JupyterLab yourself (python3 -m pip install jupyterlab) and run this again.`);
    process.exit(1);
  }
}
