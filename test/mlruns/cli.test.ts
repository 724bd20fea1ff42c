/**
 * `trackbook export` and `trackbook import` as a user runs them (the built CLI, on Arrow roots),
 * the progress display on a terminal and off one, and `trackbook/mlruns` loaded with require().
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { progressDisplay } from "../../src/cli/export.js";
import { ensureBuilt, ROOT } from "../helpers/build.js";
import { tempDir } from "./helpers/fixtures.js";

const cli = (...args: string[]) => spawnSync(process.execPath, [resolve(ROOT, "dist/src/cli/main.js"), ...args], { encoding: "utf8", env: { ...process.env, TRACKBOOK_TRACKING_URI: "" } });

describe("trackbook export / import (CLI)", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  beforeAll(() => {
    ensureBuilt();
    if (!existsSync(resolve(ROOT, "dist/cjs/mlruns.cjs"))) execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
  });

  it("exports an Arrow root to a zip and imports it into another, with plain progress lines off a terminal", () => {
    const from = `arrow:${join(tmp.dir, "from")}`;
    expect(cli("demo", "--uri", from).status).toBe(0);
    const zip = join(tmp.dir, "runs.zip");
    const out = cli("export", "--uri", from, "--out", zip);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^Exported 7 runs in 2 experiments \(\d+ metric points, \d+ files, \d+ bytes\) to zip /);
    expect(out.stderr.split("\n").filter(Boolean)).toEqual(["selecting: 0/0 runs", "exporting: 0/7 runs", ...Array.from({ length: 7 }, (_, i) => `exporting: ${i + 1}/7 runs`)]);
    const to = `arrow:${join(tmp.dir, "to")}`;
    const imp = cli("import", zip, "--uri", to);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/^Imported 7 runs and 1 new experiments \(18 params, \d+ tags, 2400 metric points, 0 artifacts\)/);
    expect(cli("ls", "--uri", to).stdout).toMatch(/demo-sweep \(id \d+, active, 7 runs\)/);
    const again = cli("import", zip, "--uri", to);
    expect(again.stdout).toMatch(/Imported 0 runs[\s\S]*7 × run \w+ is already in the store|Skipped 7 item/);
  });

  it("exports a folder with selection flags, and refuses bad usage with exit code 2", () => {
    const from = `arrow:${join(tmp.dir, "sel")}`;
    cli("demo", "--uri", from);
    const dir = join(tmp.dir, "sel-out", "mlruns");
    const r = cli("export", "--uri", from, "--out", dir, "--filter", "params.lr = '0.1'", "--summary-only", "--no-artifacts");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Exported 2 runs in 2 experiments \(4 metric points/);
    expect(existsSync(join(dir, ".trash"))).toBe(true);
    expect(cli("export", "--uri", from).status).toBe(2);
    expect(cli("import", "--uri", from).status).toBe(2);
    const bad = cli("import", join(tmp.dir, "nope.zip"), "--uri", from);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^trackbook: RESOURCE_DOES_NOT_EXIST: Could not open .*nope\.zip/);
  });

  it("draws a bar on a terminal (cli-progress)", () => {
    let written = "";
    const stream = { isTTY: true, columns: 80, write: (s: string) => ((written += s), true), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => stream, removeListener: () => stream } as unknown as NodeJS.WriteStream;
    const d = progressDisplay(stream);
    d.onProgress({ phase: "importing", done: 0, total: 4 });
    d.onProgress({ phase: "importing", done: 4, total: 4 });
    d.stop();
    expect(written).toMatch(/importing\s+\[=+\] 4\/4 runs/);
  });

  it("loads trackbook/mlruns with require() (CommonJS, as tslab does)", () => {
    const code = `const { exportMlruns, importMlruns } = require("${resolve(ROOT, "dist/cjs/mlruns.cjs")}");
      const { MemoryStore } = require("${resolve(ROOT, "dist/cjs/index.cjs")}");
      (async () => { const s = new MemoryStore(); await s.createRun({ experimentId: "0" });
        const r = await exportMlruns(s, process.argv[1]); const t = new MemoryStore();
        const i = await importMlruns(t, process.argv[1]); console.log(r.runs, i.imported.runs); })();`;
    const r = spawnSync(process.execPath, ["-e", code, join(tmp.dir, "cjs", "mlruns")], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("1 1");
  });
});
