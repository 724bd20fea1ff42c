/**
 * The zip writer, checked by readers that share no code with it: Python's zipfile (what a
 * colleague's MLflow setup unpacks with), Info-ZIP `unzip -t`, fflate and yauzl, plus our reader.
 * ZIP64 by entry count (70,000 entries, as in integration-notes §7); ZIP64 by size is in
 * zip64-size.test.ts.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { readZipDirectory, readZipEntry, type RandomAccess } from "../../src/mlruns/zip/zip-reader.js";
import { crc32 } from "../../src/mlruns/zip/crc32.js";
import { sortInSlices } from "../../src/mlruns/zip/zip-source.js";
import { nativeCrc32 } from "../../src/mlruns/node/bundle-jobs.js";
import fc from "fast-check";
import { fileAccess } from "../../src/mlruns/node/zip-file.js";
import { requirePeer } from "../helpers/peers.js";
import { tempDir } from "./helpers/fixtures.js";
import { requireMlflow, runPeer } from "./helpers/mlflow-peer.js";
import { fflateEntries, hasUnzip, unzipTest, writeZip, yauzlNames } from "./helpers/zip-readers.js";

const text = (s: string) => new TextEncoder().encode(s);

describe("mlruns zip writer and reader", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);

  it("computes CRC-32 as zlib does", () => {
    expect(crc32(text("123456789"))).toBe(0xcbf43926);
    expect(crc32(text("6789"), crc32(text("12345")))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it("computes CRC-32 as Node's native one does, which Node export and import use", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 50 }), (a, b) => {
        expect(nativeCrc32(a)).toBe(crc32(a));
        expect(nativeCrc32(b, nativeCrc32(a))).toBe(crc32(b, crc32(a)));
      }),
    );
  });

  it("sorts a zip's paths in slices exactly as one sort does", async () => {
    const path = fc.string({ unit: fc.constantFrom("a", "b", "/", "é", "😀", "\ud800", "Z", "0"), maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(fc.array(path, { maxLength: 9000 }), async (items) => {
        expect(await sortInSlices([...items])).toEqual([...items].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      }),
      { numRuns: 25 },
    );
  });

  it("writes a small archive every reader reads the same: files, chunks, empty folders, UTF-8 names", async () => {
    const path = join(tmp.dir, "small.zip");
    await writeZip(path, async (z) => {
      await z.addDirectory("mlruns");
      await z.addDirectory("mlruns/0/run/metrics");
      await z.addFile("mlruns/0/meta.yaml", text("name: Default\n"));
      await z.addFile("mlruns/0/run/params/精度", [text("é/"), text("ß")]);
      await z.addFile("mlruns/0/run/empty", new Uint8Array(0));
    });
    const want = ["mlruns/", "mlruns/0/run/metrics/", "mlruns/0/meta.yaml", "mlruns/0/run/params/精度", "mlruns/0/run/empty"];
    expect((await yauzlNames(path)).names).toEqual(want);
    const ff = fflateEntries(path);
    expect(Object.keys(ff)).toEqual(want);
    expect(new TextDecoder().decode(ff["mlruns/0/run/params/精度"])).toBe("é/ß");
    const access = await fileAccess(path);
    const entries = await readZipDirectory(access, path);
    expect(entries.map((e) => e.name + (e.isDir ? "/" : ""))).toEqual(want);
    expect(new TextDecoder().decode(await readZipEntry(access, path, entries[3]!))).toBe("é/ß");
    await access.close?.();
    if (requirePeer("Info-ZIP unzip", hasUnzip(), "apt-get install unzip")) expect(unzipTest(path).status).toBe(0);
    if (requireMlflow()) expect(runPeer("zip-check.py", [path])).toEqual({ count: 5, names: want, bad: null });
  });

  it("switches to ZIP64 at 65,535 entries: 70,000 entries read back by all five readers", async () => {
    const path = join(tmp.dir, "many.zip");
    const n = 70_000;
    const r = await writeZip(path, async (z) => {
      for (let i = 0; i < n; i++) await z.addFile(`mlruns/0/r/metrics/k${i}`, text(`1700000000000 ${i} 0\n`));
    });
    expect(r.entries).toBe(n);
    const names = (await yauzlNames(path)).names;
    expect(names.length).toBe(n);
    expect(names[n - 1]).toBe(`mlruns/0/r/metrics/k${n - 1}`);
    expect(Object.keys(fflateEntries(path)).length).toBe(n);
    const access = await fileAccess(path);
    const entries = await readZipDirectory(access, path);
    expect(entries.length).toBe(n);
    expect(new TextDecoder().decode(await readZipEntry(access, path, entries[n - 1]!))).toBe(`1700000000000 ${n - 1} 0\n`);
    await access.close?.();
    if (requirePeer("Info-ZIP unzip", hasUnzip(), "apt-get install unzip")) expect(unzipTest(path)).toMatchObject({ status: 0 });
    if (requireMlflow()) expect(runPeer("zip-check.py", [path])).toMatchObject({ count: n, bad: null });
  });

  it("reads deflated archives other tools write (fflate), and refuses a damaged one by its CRC", async () => {
    const path = join(tmp.dir, "deflated.zip");
    const bytes = zipSync({ "mlruns/0/meta.yaml": [text("name: x\n".repeat(100)), { level: 9 }] });
    writeFileSync(path, bytes);
    const access = await fileAccess(path);
    const [entry] = await readZipDirectory(access, path);
    expect(entry!.method).toBe(8);
    expect(new TextDecoder().decode(await readZipEntry(access, path, entry!))).toBe("name: x\n".repeat(100));
    await access.close?.();
    const stored = zipSync({ "a.txt": [text("hello world"), { level: 0 }] });
    stored[stored.indexOf(0x68)] = 0x48; // "hello" → "Hello" inside the stored data
    const damaged: RandomAccess = { size: stored.length, read: async (o, l) => stored.subarray(o, o + l) };
    const [e] = await readZipDirectory(damaged, "damaged.zip");
    await expect(readZipEntry(damaged, "damaged.zip", e!)).rejects.toThrow(/fails its CRC check/);
  });
});
