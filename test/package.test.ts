import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "./helpers/build.js";

const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8"));

describe("package", () => {
  let dir = "";
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "trackbook-pkg-"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "trackbook"), "dir");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has an exports map with types first, a CJS main, top-level types and a bin", () => {
    expect(pkg.name).toBe("trackbook");
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.exports["."])[0]).toBe("types");
    expect(pkg.main).toMatch(/\.cjs$/);
    expect(pkg.types).toBe("./dist/src/index.d.ts");
    expect(pkg.bin.trackbook).toBe("./dist/src/cli/main.js");
  });

  it("points every subpath export at files the build produced", () => {
    for (const [subpath, targets] of Object.entries(pkg.exports as Record<string, string | Record<string, string>>)) {
      for (const file of typeof targets === "string" ? [targets] : Object.values(targets)) {
        expect(existsSync(resolve(ROOT, file)), `${subpath} → ${file}`).toBe(true);
      }
    }
    expect(Object.keys(pkg.exports)).toContain("./worker");
  });

  it("loads with require() from a CommonJS file and works", () => {
    const out = execFileSync(process.execPath, [resolve(ROOT, "test/fixtures/require-entry.cjs")], { encoding: "utf8" });
    const result = JSON.parse(out.trim());
    expect(result).toMatchObject({ runs: 1, loss: 0.2, code: "INVALID_PARAMETER_VALUE" });
    expect(result.exports).toBeGreaterThan(30);
  });

  it("type-checks as tslab compiles a cell: Node10 resolution, CommonJS, ES2022 lib, no DOM", () => {
    writeFileSync(
      join(dir, "cell.ts"),
      `import { openTracker, TrackerError, type Run } from "trackbook";
       async function cell(): Promise<number> {
         const tb = await openTracker("memory:");
         const run = await tb.startRun({ runName: "x" });
         run.logMetric("loss", 1, 0);
         await run.end();
         const page = await tb.searchRuns({ filter: "metrics.loss = 1" });
         const first: Run | undefined = page.runs[0];
         if (!(new TrackerError("INVALID_STATE", "x") instanceof Error)) throw new Error();
         return first?.data.metrics.loss ?? -1;
       }
       void cell();`,
    );
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const r = spawnSync(
      process.execPath,
      [tsc, "--noEmit", "--strict", "--module", "commonjs", "--moduleResolution", "node10", "--target", "ES2022",
        "--lib", "ES2022", "--types", "node", "--typeRoots", resolve(ROOT, "node_modules/@types"), "--esModuleInterop", join(dir, "cell.ts")],
      { encoding: "utf8", cwd: dir },
    );
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("runs the CLI demo that npm start runs, and prints a run table", () => {
    expect(pkg.scripts.start).toBe("node dist/src/cli/main.js demo");
    const out = execFileSync(process.execPath, [resolve(ROOT, "dist/src/cli/main.js"), "demo"], { encoding: "utf8" });
    const lines = out.split("\n");
    const header = lines.find((l) => l.startsWith("run "));
    expect(header).toMatch(/params\.lr/);
    expect(header).toMatch(/metrics\.loss/);
    const rows = lines.slice(lines.indexOf(header!) + 2).filter((l) => l.trim() !== "");
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.includes("FINISHED"))).toBe(true);
  });

  it("lists an Arrow root with trackbook ls while another process holds its writer lock", () => {
    const root = join(dir, "cli-root");
    const main = resolve(ROOT, "dist/src/cli/main.js");
    execFileSync(process.execPath, [main, "demo", "--uri", `arrow:${root}`], { encoding: "utf8" });
    writeFileSync(join(root, ".lock"), JSON.stringify({ pid: process.pid, hostname: hostname(), createdAt: Date.now() }));
    const out = execFileSync(process.execPath, [main, "ls", "--uri", `arrow:${root}`], { encoding: "utf8" });
    expect(out).toMatch(/demo-sweep \(id \d+, active, 7 runs\)/);
    expect(out.split("\n").filter((l) => l.includes("FINISHED"))).toHaveLength(7);
  });

  it("rejects an unknown CLI command with exit code 2 and the usage", () => {
    const r = spawnSync(process.execPath, [resolve(ROOT, "dist/src/cli/main.js"), "frobnicate"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain("Usage: trackbook");
  });
});
