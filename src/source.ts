/**
 * Where a run comes from: the system tags MLflow sets (`mlflow.user`, `mlflow.source.name`,
 * `mlflow.source.type`). Reads `process` and `location` through `globalThis` so this module
 * also loads in a browser and imports no `node:` module.
 *
 * @module
 */

type ProcessLike = { env?: Record<string, string | undefined>; argv?: string[] };

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
 * `mlflow.source.name`: the notebook path when Jupyter tells the kernel (`JPY_SESSION_NAME`),
 * else the script Node runs, else the page URL in a browser.
 */
export function sourceName(): string {
  const p = proc();
  if (inTslab() && p?.env?.JPY_SESSION_NAME) return p.env.JPY_SESSION_NAME;
  if (p?.argv?.[1]) return p.argv[1];
  const loc = (globalThis as { location?: { href?: string } }).location;
  return loc?.href ?? "";
}

/** The system tags of a new run. */
export function systemTags(): Record<string, string> {
  return {
    "mlflow.user": currentUser(),
    "mlflow.source.name": sourceName(),
    "mlflow.source.type": sourceType(),
  };
}
