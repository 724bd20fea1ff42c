// Build: tsc emits ESM + .d.ts into dist/ (dist/src/**, dist/worker/**); esbuild bundles the
// CommonJS files tslab needs (integration-notes §1.1, §1.4): dist/cjs/index.cjs, and
// dist/cjs/node-host.cjs, the store worker's entry, which node-client finds next to the bundle.
// esbuild rather than a second tsc pass: tsc --module commonjs would rewrite later dynamic
// import()s (needed to load ESM-only vega) into require().
import { execFileSync } from "node:child_process";
import { chmodSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { stdio: "inherit" });

/**
 * Dependencies stay require()d from node_modules, not bundled: one copy of apache-arrow (and of
 * flatbuffers, which it uses too), and comlink exactly as the worker's other side loads it. comlink's Node adapter is the exception:
 * it ships only as .mjs, which require() loads only on Node ≥ 20.19, and it is 30 stateless lines.
 */
const keepPackagesExternal = {
  name: "keep-packages-external",
  setup(b) {
    b.onResolve({ filter: /^(apache-arrow(\/.*)?|comlink|flatbuffers)$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** @type {import("esbuild").BuildOptions} */
const cjs = {
  bundle: true,
  format: "cjs",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
  // esbuild renames classes it wraps (`TrackerError = class _TrackerError`), and Node's
  // util.inspect, which prints an uncaught error in a notebook cell, shows the class's own name.
  keepNames: true,
  external: ["node:*"],
  plugins: [keepPackagesExternal],
  // CommonJS has no import.meta; node-client locates the worker entry from import.meta.url.
  // Guarded: the bundle must also load where there is no require/__filename (a vm sandbox).
  // The banner goes above esbuild's own "use strict", so it repeats it: a directive counts
  // only at the top of the file, and the bundle must stay strict.
  define: { "import.meta.url": "__tb_import_meta_url" },
  banner: {
    js: [
      '"use strict";',
      'const __tb_import_meta_url = typeof __filename === "string" && typeof require === "function" ? require("url").pathToFileURL(__filename).href : undefined;',
    ].join("\n"),
  },
};
await build({ ...cjs, entryPoints: ["src/index.ts"], outfile: "dist/cjs/index.cjs" });
await build({ ...cjs, entryPoints: ["worker/node-host.ts"], outfile: "dist/cjs/node-host.cjs" });
// trackbook/mlruns for CommonJS (tslab): yaml and fflate are bundled in, node: modules stay require()d.
await build({ ...cjs, entryPoints: ["src/mlruns/index.ts"], outfile: "dist/cjs/mlruns.cjs" });
// Its worker threads' entry, which the bundle finds beside itself (src/mlruns/node/thread-pool.ts).
await build({ ...cjs, entryPoints: ["src/mlruns/node/bundle-worker.ts"], outfile: "dist/cjs/mlruns-worker.cjs" });
// trackbook/widgets for CommonJS (tslab): vega stays outside the bundle and is loaded by the
// import() in widgets/render.ts, which esbuild keeps as a real dynamic import.
await build({ ...cjs, entryPoints: ["widgets/index.ts"], outfile: "dist/cjs/widgets.cjs", external: ["node:*", "vega", "vega-lite", "vega-embed"] });
mkdirSync("dist/cjs", { recursive: true });
// Inside dist/cjs, .cjs is unambiguous; the package.json marks the folder for tools that look.
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
chmodSync("dist/src/cli/main.js", 0o755);
