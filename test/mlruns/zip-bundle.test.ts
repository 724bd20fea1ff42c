/**
 * Bundles as zip files: MLflow reads our zip (unpacked with Python's zipfile beside it) exactly as
 * trackbook sees the store; zip → import is lossless; empty folders survive; hostile zips (paths
 * leaving the bundle, symlinks, bombs) are refused before anything is written.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zipSync, type Zippable } from "fflate";
import { isTrackerError } from "../../src/errors.js";
import { exportMlruns, importMlruns, type ImportOptions } from "../../src/mlruns/index.js";
import { pythonFloatRepr } from "../../src/mlruns/numbers.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { smallBundle } from "./helpers/bundle.js";
import { dumpStore } from "./helpers/dump.js";
import { tempDir } from "./helpers/fixtures.js";
import { requireMlflow, runPeer } from "./helpers/mlflow-peer.js";
import { mlflowView, richStore } from "./helpers/rich-store.js";
import { yauzlNames } from "./helpers/zip-readers.js";

const text = (s: string | Uint8Array) => (typeof s === "string" ? new TextEncoder().encode(s) : s);

/** smallBundle() as a deflated zip made by another library (fflate). */
function smallZip(extra: Zippable = {}): Uint8Array {
  const files: Zippable = {};
  for (const [p, c] of Object.entries(smallBundle())) files[c === null ? p + "/" : p] = c === null ? new Uint8Array(0) : text(c);
  return zipSync({ ...files, ...extra });
}

describe("mlruns zip bundles", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  let rich: MemoryStore;
  beforeAll(async () => {
    rich = (await richStore()).store;
  });

  it("MLflow reads a zip export, unpacked beside it, exactly as trackbook sees the store (peer)", async () => {
    if (!requireMlflow()) return;
    const path = join(tmp.dir, "peer", "bundle.zip");
    await exportMlruns(rich, path);
    const seen = runPeer("read-store.py", [path]) as { file: unknown };
    expect(seen.file).toEqual(await mlflowView(rich, pythonFloatRepr));
  });

  it("zip → import gives back the store, and empty metrics/, params/, artifacts/ folders are entries", async () => {
    const store = new MemoryStore();
    const exp = await store.createExperiment({ name: "e" });
    const bare = await store.createRun({ experimentId: exp });
    const path = join(tmp.dir, "roundtrip.zip");
    const result = await exportMlruns(store, path);
    expect(result.runs).toBe(1);
    const names = (await yauzlNames(path)).names;
    for (const folder of ["metrics", "params", "artifacts"]) expect(names).toContain(`mlruns/${exp}/${bare.info.runId}/${folder}/`);
    expect(names).toEqual(expect.arrayContaining(["mlruns/.trash/", "mlruns/models/", "mlruns/0/meta.yaml"]));
    const richZip = join(tmp.dir, "rich.zip");
    await exportMlruns(rich, richZip);
    const again = new MemoryStore();
    await importMlruns(again, richZip);
    expect(await dumpStore(again)).toEqual(await dumpStore(rich));
  });

  it("imports deflated zips other tools make, with the bundle at the root or under mlruns/", async () => {
    const a = join(tmp.dir, "other.zip");
    writeFileSync(a, smallZip());
    const store = new MemoryStore();
    expect((await importMlruns(store, a)).imported.runs).toBe(2);
    const flat: Zippable = {};
    for (const [p, c] of Object.entries(smallBundle())) flat[p.replace(/^mlruns\//, "") + (c === null ? "/" : "")] = c === null ? new Uint8Array(0) : text(c);
    const b = join(tmp.dir, "flat.zip");
    writeFileSync(b, zipSync(flat));
    expect((await importMlruns(new MemoryStore(), b)).imported.runs).toBe(2);
  });

  describe("hostile zips are refused and the store is untouched", () => {
    let n = 0;
    const refuse = async (bytes: Uint8Array, message: RegExp, options: ImportOptions = {}) => {
      const path = join(tmp.dir, `hostile-${n++}.zip`);
      writeFileSync(path, bytes);
      const before = await dumpStore(rich, { times: true, artifactUris: true });
      const e = await importMlruns(rich, path, options).catch((x: unknown) => x);
      expect(isTrackerError(e), String(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
      expect(await dumpStore(rich, { times: true, artifactUris: true })).toEqual(before);
    };

    it("entries with '..', absolute paths, drive letters, backslash escapes", async () => {
      for (const name of ["../evil.txt", "mlruns/../../evil", "/etc/cron.d/x", "C:/Windows/x", "mlruns\\..\\..\\evil"]) {
        await refuse(smallZip({ [name]: text("x") }), /could point outside the bundle/);
      }
    });

    it("symlink entries", async () => {
      await refuse(smallZip({ "mlruns/1/link": [text("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }] }), /is a symbolic link/);
    });

    it("zip bombs: compression ratio, total size, entry count, overlapping entries", async () => {
      const zeros = new Uint8Array(8 << 20);
      await refuse(smallZip({ "mlruns/1/bomb": [zeros, { level: 9 }] }), /expands \d+ times \(limit 100\): a zip bomb/, { zipLimits: { maxRatio: 100 } });
      await refuse(smallZip({ "mlruns/big": [zeros, { level: 0 }] }), /add up to more than 1000000 bytes/, { zipLimits: { maxTotalBytes: 1_000_000 } });
      await refuse(smallZip(), /has \d+ entries; the limit is 5/, { zipLimits: { maxEntries: 5 } });
      await refuse(overlapping(), /overlaps the next one/);
    });

    it("damaged archives: not a zip, truncated, a corrupted entry", async () => {
      await refuse(text("PK not really a zip"), /not a zip file/);
      const good = smallZip();
      await refuse(good.subarray(0, good.length - 30), /not a zip file|outside the file|damaged/);
      const stored = zipSync({ ...Object.fromEntries(Object.entries(smallBundle()).filter(([, c]) => c !== null).map(([p, c]) => [p, [text(c!), { level: 0 }]])) });
      const at = Buffer.from(stored).indexOf("0.75");
      stored[at] = 0x39; // a stored metric value changes: the CRC no longer matches
      await refuse(stored, /fails its CRC check/);
    });
  });
});

/** Two central-directory entries pointing at the same data (a non-recursive zip bomb's trick). */
function overlapping(): Uint8Array {
  const z = smallZip({ "mlruns/x1": [text("a".repeat(1000)), { level: 0 }], "mlruns/x2": [text("b".repeat(1000)), { level: 0 }] });
  const buf = Buffer.from(z);
  // The last occurrence of each name is in its central-directory record, 46 bytes after its start.
  const first = buf.lastIndexOf(Buffer.from("mlruns/x1")) - 46;
  const second = buf.lastIndexOf(Buffer.from("mlruns/x2")) - 46;
  buf.writeUInt32LE(buf.readUInt32LE(first + 42), second + 42);
  return new Uint8Array(buf);
}
