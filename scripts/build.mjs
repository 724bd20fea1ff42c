// Build: tsc emits ESM + .d.ts into dist/; esbuild bundles one CommonJS entry (dist/cjs/index.cjs)
// because tslab runs cells as CommonJS with Node10 resolution (integration-notes §1.1, §1.4).
// esbuild rather than a second tsc pass: tsc --module commonjs would rewrite later dynamic
// import()s (needed to load ESM-only vega) into require().
import { execFileSync } from "node:child_process";
import { chmodSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { stdio: "inherit" });
await build({
  entryPoints: ["src/index.ts"],
  bundle: true,
  format: "cjs",
  // The CommonJS entry serves Node (tslab cells); browsers and bundlers take the ESM build.
  platform: "node",
  // Runtime dependencies are required from node_modules, not copied into the bundle.
  external: ["apache-arrow", "comlink"],
  target: "es2022",
  outfile: "dist/cjs/index.cjs",
  sourcemap: true,
  logLevel: "warning",
});
mkdirSync("dist/cjs", { recursive: true });
// Inside dist/cjs, .cjs is unambiguous; the package.json marks the folder for tools that look.
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
chmodSync("dist/src/cli/main.js", 0o755);
