/** Independent zip readers to cross-check the writer: yauzl (Node), fflate, Info-ZIP unzip -t. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { unzipSync } from "fflate";
import yauzl from "yauzl";
import { ZipWriter } from "../../../src/mlruns/zip/zip-writer.js";

/** Entry names yauzl lists (it checks the ZIP64 records and each entry's header). */
export function yauzlNames(path: string, readName?: string): Promise<{ names: string[]; read?: Buffer }> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      let read: Buffer | undefined;
      zip.on("entry", (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        if (entry.fileName !== readName) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on("data", (c: Buffer) => parts.push(c));
          stream.on("end", () => {
            read = Buffer.concat(parts);
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(read === undefined ? { names } : { names, read }));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** Entries fflate reads from the whole archive in memory. */
export function fflateEntries(path: string): Record<string, Uint8Array> {
  return unzipSync(readFileSync(path));
}

/** Info-ZIP `unzip -t` (tests every CRC): its exit status and last line. */
export function unzipTest(path: string): { status: number | null; last: string } {
  const r = spawnSync("unzip", ["-t", "-qq", path], { encoding: "utf8", maxBuffer: 64 << 20 });
  const out = (r.stdout + r.stderr).trim().split("\n");
  return { status: r.status, last: out[out.length - 1] ?? "" };
}

/** True when Info-ZIP unzip is installed. */
export function hasUnzip(): boolean {
  return spawnSync("unzip", ["-v"]).status === 0;
}

/** Writes a zip with `fill` to `path` through a file handle. */
export async function writeZip(path: string, fill: (z: ZipWriter) => Promise<void>): Promise<{ entries: number; bytes: number }> {
  const fh = await open(path, "w");
  const z = new ZipWriter({ write: async (c) => void (await fh.write(c)) });
  await fill(z);
  const r = await z.finish();
  await fh.close();
  return r;
}

