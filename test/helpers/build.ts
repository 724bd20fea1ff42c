/** Builds dist/ once if a test needs the built package and it is missing (npm test builds first). */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export function ensureBuilt(): void {
  if (!existsSync(resolve(ROOT, "dist/cjs/index.cjs")) || !existsSync(resolve(ROOT, "dist/src/index.d.ts"))) {
    execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
  }
}
