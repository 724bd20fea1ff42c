/**
 * Where a run comes from: the system tags MLflow sets (`mlflow.user`, `mlflow.source.name`,
 * `mlflow.source.type`). Reads `process` and `location` through `globalThis` so this module
 * also loads in a browser and imports no `node:` module.
 *
 * @module
 */

type ProcessLike = {
  env?: Record<string, string | undefined>;
  argv?: string[];
  cwd?: () => string;
  getBuiltinModule?: (id: string) => unknown;
};

function proc(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** True inside a tslab (Jupyter) kernel. */
export function inTslab(): boolean {
  return typeof (globalThis as { __tslab__?: unknown }).__tslab__ === "object";
}

/** The user name for `mlflow.user`: `USER`, `USERNAME` or `LOGNAME`, else "unknown". */
export function currentUser(): string {
  const env = proc()?.env ?? {};
  return env.USER || env.USERNAME || env.LOGNAME || "unknown";
}

/** `mlflow.source.type`: NOTEBOOK inside tslab, else LOCAL. */
export function sourceType(): "NOTEBOOK" | "LOCAL" {
  return inTslab() ? "NOTEBOOK" : "LOCAL";
}

/**
 * `mlflow.source.name`. In a notebook: the notebook's path when Jupyter tells the kernel
 * (`JPY_SESSION_NAME`, set by jupyter_server 2 and by `npm run notebooks`), else the one
 * `.ipynb` file in the kernel's folder (Jupyter starts a kernel in its notebook's folder), else
 * that folder. Elsewhere: the script Node runs, else the page URL in a browser.
 */
export function sourceName(): string {
  const p = proc();
  if (inTslab()) return p?.env?.JPY_SESSION_NAME || notebookInCwd(p) || p?.cwd?.() || "";
  if (p?.argv?.[1]) return p.argv[1];
  const loc = (globalThis as { location?: { href?: string } }).location;
  return loc?.href ?? "";
}

/**
 * The only `.ipynb` in the working folder, as an absolute path. `process.getBuiltinModule`
 * (Node ≥ 20.16) reads the folder without a static `node:` import, which would stop this
 * module from loading in a browser.
 */
function notebookInCwd(p: ProcessLike | undefined): string | undefined {
  const fs = p?.getBuiltinModule?.("node:fs") as { readdirSync(dir: string): string[] } | undefined;
  const cwd = p?.cwd?.();
  if (!fs || !cwd) return undefined;
  try {
    const notebooks = fs.readdirSync(cwd).filter((f) => f.endsWith(".ipynb"));
    return notebooks.length === 1 ? `${cwd}/${notebooks[0]}` : undefined;
  } catch {
    return undefined;
  }
}

/** The system tags of a new run. */
export function systemTags(): Record<string, string> {
  return {
    "mlflow.user": currentUser(),
    "mlflow.source.name": sourceName(),
    "mlflow.source.type": sourceType(),
  };
}
