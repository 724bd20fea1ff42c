/**
 * ZIP64 by size: an archive past 4 GiB (one 4 GiB + 16 MiB entry, then a small entry whose local
 * header starts past 4 GiB). Python's zipfile, yauzl, Info-ZIP unzip and our reader must find the
 * small entry through the ZIP64 offsets. Writes ~4.3 GB to the temporary folder; about a minute.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileAccess } from "../../src/mlruns/node/zip-file.js";
import { readZipDirectory, readZipEntry } from "../../src/mlruns/zip/zip-reader.js";
import { requirePeer } from "../helpers/peers.js";
import { tempDir } from "./helpers/fixtures.js";
import { requireMlflow, runPeer } from "./helpers/mlflow-peer.js";
import { hasUnzip, unzipTest, writeZip, yauzlNames } from "./helpers/zip-readers.js";

describe("mlruns zip writer past 4 GiB", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);

  it("writes ZIP64 sizes and offsets every reader follows", async () => {
    const path = join(tmp.dir, "big.zip");
    const zeros = new Uint8Array(64 << 20);
    const chunks = Array.from({ length: 4 * 16 + 1 }, (_, i) => (i < 64 ? zeros : zeros.subarray(0, 16 << 20)));
    await writeZip(path, async (z) => {
      await z.addFile("mlruns/big.bin", chunks);
      await z.addFile("mlruns/after.txt", new TextEncoder().encode("past 4 GiB"));
    });
    expect(statSync(path).size).toBeGreaterThan(2 ** 32 + (16 << 20));
    const access = await fileAccess(path);
    const entries = await readZipDirectory(access, path);
    expect(entries.map((e) => [e.name, e.size])).toEqual([["mlruns/big.bin", 2 ** 32 + (16 << 20)], ["mlruns/after.txt", 10]]);
    expect(entries[1]!.localOffset).toBeGreaterThan(2 ** 32);
    expect(new TextDecoder().decode(await readZipEntry(access, path, entries[1]!))).toBe("past 4 GiB");
    await access.close?.();
    const y = await yauzlNames(path, "mlruns/after.txt");
    expect(y.names).toEqual(["mlruns/big.bin", "mlruns/after.txt"]);
    expect(y.read?.toString()).toBe("past 4 GiB");
    if (requireMlflow()) {
      expect(runPeer("zip-check.py", [path, "mlruns/after.txt"])).toEqual({ count: 2, names: ["mlruns/big.bin", "mlruns/after.txt"], read: Buffer.from("past 4 GiB").toString("hex") });
    }
    if (requirePeer("Info-ZIP unzip", hasUnzip(), "apt-get install unzip")) expect(unzipTest(path)).toMatchObject({ status: 0 });
  }, 600_000);
});
