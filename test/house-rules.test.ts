import { builtinModules } from "node:module";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/build.js";
import { readImports, scanImports, sourceFiles, type ImportRef } from "./helpers/imports.js";

/** Where each heavy dependency may be imported (DESIGN "Rules of the house"). */
const HEAVY: { name: string; test: (spec: string) => boolean; allowed: (file: string) => boolean }[] = [
  { name: "apache-arrow", test: (s) => s === "apache-arrow" || s.startsWith("apache-arrow/"), allowed: (f) => f.startsWith("src/store/arrow/") },
  // flatbuffers serves the Arrow store's hand-written IPC codec, beside apache-arrow.
  { name: "flatbuffers", test: (s) => s === "flatbuffers" || s.startsWith("flatbuffers/"), allowed: (f) => f.startsWith("src/store/arrow/") },
  { name: "idb", test: (s) => s === "idb" || s.startsWith("idb/"), allowed: (f) => f.startsWith("src/store/idb/") },
  // mlruns bundles: YAML for meta.yaml files, fflate to inflate zip entries.
  { name: "yaml", test: (s) => s === "yaml" || s.startsWith("yaml/"), allowed: (f) => f.startsWith("src/mlruns/") },
  { name: "fflate", test: (s) => s === "fflate" || s.startsWith("fflate/"), allowed: (f) => f.startsWith("src/mlruns/zip/") },
  { name: "cli-progress", test: (s) => s === "cli-progress", allowed: (f) => f.startsWith("src/cli/") },
  { name: "comlink", test: (s) => s === "comlink" || s.startsWith("comlink/"), allowed: (f) => f.startsWith("worker/") },
  { name: "vega*", test: (s) => /^vega(-[a-z]+)?(\/|$)/.test(s), allowed: (f) => f === "widgets/render.ts" },
  { name: "@tensorflow/*", test: (s) => s.startsWith("@tensorflow/"), allowed: (f) => f.startsWith("src/tfjs/") },
  {
    name: "node: modules",
    test: (s) => s.startsWith("node:") || builtinModules.includes(s.split("/")[0]!),
    // Node-only folders. Extend this list when a Node-only folder is added, never a shared one.
    allowed: (f) => ["src/cli/", "src/store/arrow/", "worker/node", "src/mlruns/node/"].some((p) => f.startsWith(p)),
  },
];

/**
 * Layers of src/ and worker/, bottom first. A module may import its own layer or lower ones: imports point
 * down the stack. A file not listed here fails the test, so new folders must pick a layer.
 */
const LAYERS: [number, RegExp][] = [
  [0, /^src\/(entities|errors)\.ts$/],
  [1, /^src\/(validation|ids|run-names|source|artifacts|models|display-hook|m4|downsample)\.ts$/],
  [2, /^src\/search\//],
  [3, /^src\/store\//],
  [4, /^src\/(metric-buffer|client)\.ts$/],
  // The worker boundary wraps stores for the client's side; only the tracker opens it.
  [4, /^worker\//],
  [5, /^src\/(active-run|tracker|model-registry|log-model)\.ts$/],
  [6, /^src\/fluent\.ts$/],
  [7, /^src\/index\.ts$/],
  // Bundle export/import: above the stores, beside the public entry; the CLI uses it.
  [7, /^src\/mlruns\//],
  // Widgets: pure spec builders over entities (and the search grammar for run tables).
  [7, /^widgets\//],
  [8, /^src\/cli\//],
];

function layerOf(file: string): number | undefined {
  return LAYERS.find(([, re]) => re.test(file))?.[0];
}

function heavyViolations(refs: ImportRef[]): string[] {
  return refs.flatMap((r) =>
    HEAVY.filter((h) => h.test(r.spec) && !h.allowed(r.file)).map((h) => `${r.file}:${r.line} imports ${r.spec} (${h.name})`),
  );
}

function layerViolations(refs: ImportRef[]): string[] {
  const out: string[] = [];
  for (const r of refs) {
    if (!r.spec.startsWith(".")) continue;
    const target = posix.normalize(posix.join(posix.dirname(r.file), r.spec)).replace(/\.js$/, ".ts");
    const from = layerOf(r.file);
    const to = layerOf(target);
    if (from === undefined) out.push(`${r.file} has no layer in the house rules`);
    else if (to === undefined) out.push(`${r.file}:${r.line} imports ${target}, which has no layer`);
    else if (to > from) out.push(`${r.file}:${r.line} imports ${target} from a higher layer (${from} → ${to})`);
  }
  return out;
}

describe("house rules", () => {
  const files = ["src", "worker", "widgets"].flatMap((d) => sourceFiles(ROOT, d));
  const refs = readImports(ROOT, files);

  it("finds the source files it guards", () => {
    expect(files).toContain("src/index.ts");
    expect(refs.length).toBeGreaterThan(20);
  });

  it("imports each heavy dependency only in its own folder", () => {
    expect(heavyViolations(refs)).toEqual([]);
  });

  it("imports point down the stack", () => {
    expect(layerViolations(refs.filter((r) => /^(src|worker|widgets)\//.test(r.file)))).toEqual([]);
  });

  it("catches a violation of each rule (the checker itself works)", () => {
    const bad = [
      ...scanImports("src/tracker.ts", `import { tableFromIPC } from "apache-arrow";\nimport fs from "node:fs";`),
      ...scanImports("src/client.ts", `const v = await import("vega-embed");\nconst c = require("comlink");`),
      ...scanImports("src/search/x.ts", `export { a } from "../tracker.js";`),
      // Shared with browser workers: no node: modules, and nothing above the store layer.
      ...scanImports("worker/host-api.ts", `import { Worker } from "node:worker_threads";\nimport { Tracker } from "../src/tracker.js";`),
      // The browser entries and the IndexedDB store never load node: modules.
      ...scanImports("worker/browser-client.ts", `import { existsSync } from "node:fs";`),
      ...scanImports("src/store/idb/open.ts", `import { readFile } from "node:fs/promises";\nimport { openDB } from "idb";`),
    ];
    expect(heavyViolations(bad)).toHaveLength(7);
    expect(layerViolations(bad)).toEqual([expect.stringContaining("higher layer"), expect.stringContaining("higher layer")]);
    expect(scanImports("widgets/a.ts", `import type { TopLevelSpec } from "vega-lite";`)).toEqual([]);
  });
});
