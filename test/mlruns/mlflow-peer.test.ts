/**
 * Real MLflow (3.17.2, Python) as the judge: it opens what trackbook exports and sees exactly the
 * experiments, runs, params, tags, latest metrics, metric histories and artifacts trackbook has;
 * and trackbook imports what MLflow writes and sees exactly what MLflow sees.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportMlruns, importMlruns } from "../../src/mlruns/index.js";
import { pythonFloatRepr } from "../../src/mlruns/numbers.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { requireMlflow, runPeer } from "./helpers/mlflow-peer.js";
import { tempDir } from "./helpers/fixtures.js";
import { mlflowView, richStore } from "./helpers/rich-store.js";

type Seen = { file: Record<string, unknown>; sqlite?: Record<string, unknown> };

describe("mlruns and real MLflow (peer)", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);

  it("MLflow reads a folder export exactly as trackbook sees the store, and migrates it to SQLite", async () => {
    if (!requireMlflow()) return;
    const { store } = await richStore();
    const dir = join(tmp.dir, "folder", "mlruns");
    await exportMlruns(store, dir);
    const seen = runPeer("read-store.py", [dir, "--migrate"]) as Seen;
    const ours = await mlflowView(store, pythonFloatRepr);
    expect(seen.file).toEqual(ours);
    // migrate-filestore copies everything into SQLite. That store clamps ±Inf (mlruns-format §3),
    // so compare it on everything but metric values; and migrate-filestore 3.17.2 reads tag and
    // param files with Path.read_text(), whose universal newlines turn "\r\n" into "\n".
    const shape = (v: Record<string, unknown>, newlines: boolean) =>
      JSON.parse(
        JSON.stringify(v, (k, x) => (k === "metrics" || k === "history" ? Object.keys(x).sort() : typeof x === "string" && newlines ? x.replace(/\r\n?/g, "\n") : x)),
      );
    expect(shape(seen.sqlite!, false)).toEqual(shape(ours, true));
  });

  it("trackbook imports what MLflow writes and sees exactly what MLflow sees", async () => {
    if (!requireMlflow()) return;
    const dir = join(tmp.dir, "written-by-mlflow");
    const mlflowSees = runPeer("write-store.py", [dir]) as Record<string, unknown>;
    const store = new MemoryStore();
    const result = await importMlruns(store, join(dir, "mlruns"));
    expect(await mlflowView(store, pythonFloatRepr)).toEqual(mlflowSees);
    expect(result.skipped.map((s) => s.reason)).toEqual(
      expect.arrayContaining([expect.stringContaining("dataset records"), expect.stringContaining("dataset and model inputs")]),
    );
  });
});
