/**
 * The real-MLflow peer: a Python with `mlflow` (PEER_PYTHON, else the repo's `.peers/bin/python`,
 * which .ci/run creates). Tests run the scripts in test/mlruns/peer/ with it and compare JSON.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ROOT } from "../../helpers/build.js";
import { requirePeer } from "../../helpers/peers.js";

let cached: string | null | undefined;

/** The Python that can `import mlflow`, or undefined. */
export function mlflowPython(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const candidates = [process.env.PEER_PYTHON, resolve(ROOT, ".peers/bin/python")].filter((p): p is string => !!p && existsSync(p));
  cached = candidates.find((p) => spawnSync(p, ["-c", "import importlib.util, sys; sys.exit(importlib.util.find_spec(\"mlflow\") is None)"], { encoding: "utf8" }).status === 0) ?? null;
  return cached ?? undefined;
}

/** True when the MLflow peer is there; else skips (locally) or fails (CI=true), via requirePeer. */
export function requireMlflow(): boolean {
  return requirePeer("Python with mlflow", mlflowPython() !== undefined, "set PEER_PYTHON, or: python3 -m venv .peers && .peers/bin/pip install mlflow==3.17.2");
}

/** Runs test/mlruns/peer/<script> with `args`, returning its stdout parsed as JSON. */
export function runPeer(script: string, args: string[], input?: string): unknown {
  const python = mlflowPython();
  if (python === undefined) throw new Error("no MLflow peer");
  const r = spawnSync(python, [resolve(ROOT, "test/mlruns/peer", script), ...args], {
    encoding: "utf8",
    input,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: "true", PYTHONWARNINGS: "ignore", MLFLOW_TRACKING_URI: "" },
  });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!);
}
