/**
 * Finding real peers (Python, MLflow, Jupyter) for tests. A missing peer skips the test with a
 * printed reason, except under CI=true where it fails: CI must never pass by skipping.
 */
import { spawnSync } from "node:child_process";

/** True when running in CI (`CI=true`). */
export const inCI = process.env.CI === "true";

/** The python3 binary, or undefined when there is none. */
export function findPython(): string | undefined {
  for (const bin of ["python3", "python"]) {
    const r = spawnSync(bin, ["-c", "import sys; print(sys.version_info[0])"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() === "3") return bin;
  }
  return undefined;
}

/**
 * Returns `true` when the peer is there. Otherwise prints why the test is skipped and returns
 * false, or throws under CI so the run fails.
 */
export function requirePeer(name: string, present: boolean, how: string): boolean {
  if (present) return true;
  const reason = `${name} is not available (${how})`;
  if (inCI) throw new Error(`CI=true: ${reason}; CI must install it.`);
  console.warn(`skipping: ${reason}`);
  return false;
}
