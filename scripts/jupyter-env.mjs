// What `npm run notebooks` and `npm run lab` share: a Python with Jupyter, the tslab kernel
// registered into a folder of this project (never the user's own Jupyter setup), and a link that
// lets `import … from "trackbook"` in a notebook find this package, as it would after
// `npm install trackbook`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the tslab kernelspec goes (`tslab install --prefix`), and a Python venv if we make one. */
export const JUPYTER_PREFIX = join(ROOT, ".jupyter");

/** The first Python that can import all of `modules`, or undefined. */
export function findPython(modules, extra = []) {
  const candidates = [
    process.env.PEER_JUPYTER_PYTHON,
    join(JUPYTER_PREFIX, "venv/bin/python"),
    join(homedir(), ".cache/trackbook/peers-jupyter/bin/python"),
    ...extra,
    "python3",
  ].filter(Boolean);
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", `import ${modules.join(", ")}`], { stdio: "ignore" });
    if (r.status === 0) return python;
  }
  return undefined;
}

/** Registers this repo's tslab as the "tslab" kernel under .jupyter/ and returns Jupyter's env for it. */
export function tslabKernelEnv(python) {
  const tslab = join(ROOT, "node_modules/.bin/tslab");
  if (!existsSync(tslab)) throw new Error("node_modules/.bin/tslab is missing: run `npm ci` first.");
  execFileSync(process.execPath, [tslab, "install", `--python=${python}`, `--prefix=${JUPYTER_PREFIX}`, `--binary=${tslab}`], { stdio: "pipe" });
  return {
    ...process.env,
    JUPYTER_PATH: join(JUPYTER_PREFIX, "share/jupyter"),
    JUPYTER_RUNTIME_DIR: join(JUPYTER_PREFIX, "runtime"),
    JUPYTER_DATA_DIR: join(JUPYTER_PREFIX, "data"),
    JUPYTER_CONFIG_DIR: join(JUPYTER_PREFIX, "config"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
}

/** Makes `dir/node_modules/trackbook` a link to this repo, so notebooks in `dir` import the built package. */
export function linkPackage(dir) {
  const link = join(dir, "node_modules/trackbook");
  const target = relative(dirname(link), ROOT);
  try {
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === target) return;
    rmSync(link, { recursive: true, force: true });
  } catch {
    // no link yet
  }
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(target, link, "dir");
}

/** Fails with a message saying what to run when the package has not been built. */
export function requireBuild() {
  if (!existsSync(join(ROOT, "dist/cjs/index.cjs"))) throw new Error("dist/ is missing: run `npm run build` first.");
}
