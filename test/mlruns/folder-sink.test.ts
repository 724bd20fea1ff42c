/**
 * The folder sink queues its writes (several files in flight): the files, their bytes and empty
 * folders are all there after commit, nothing is at the target before it, and a write that fails
 * in the background surfaces from a later call or from commit, after which abort leaves nothing.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openFolderSink } from "../../src/mlruns/node/folder-sink.js";
import { tempDir } from "./helpers/fixtures.js";

describe("mlruns folder sink", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);

  it("writes many files (chunks, empty files, nested and empty folders) and shows them only on commit", async () => {
    const dest = join(tmp.dir, "ok", "mlruns");
    const sink = await openFolderSink(dest);
    await sink.mkdir("empty/inner");
    for (let i = 0; i < 300; i++) {
      const dir = `1/run${i % 7}/metrics/deep/${i % 3}`;
      if (i % 2 === 0) await sink.writeFile(`${dir}/f${i}`, new TextEncoder().encode(`value ${i}`));
      else await sink.writeFile(`${dir}/f${i}`, [new TextEncoder().encode("a"), new Uint8Array(0), new TextEncoder().encode(`b${i}`)]);
    }
    await sink.writeFile("zero", []);
    expect(existsSync(dest)).toBe(false);
    await sink.commit();
    for (let i = 0; i < 300; i++) {
      const text = readFileSync(join(dest, `1/run${i % 7}/metrics/deep/${i % 3}/f${i}`), "utf8");
      expect(text).toBe(i % 2 === 0 ? `value ${i}` : `ab${i}`);
    }
    expect(readFileSync(join(dest, "zero")).length).toBe(0);
    expect(readdirSync(join(dest, "empty", "inner"))).toEqual([]);
    expect(readdirSync(join(tmp.dir, "ok"))).toEqual(["mlruns"]);
  });

  it("a write failing in the background is reported, and abort leaves nothing behind", async () => {
    const parent = join(tmp.dir, "bad");
    const sink = await openFolderSink(join(parent, "mlruns"));
    await sink.writeFile("a", new Uint8Array([1]));
    // "a" is a file: a folder cannot be made there, nor a second file of the same name.
    const failures: unknown[] = [];
    for (const path of ["a/b", "a", "c"]) await sink.writeFile(path, new Uint8Array([2])).catch((e: unknown) => failures.push(e));
    await sink.commit().catch((e: unknown) => failures.push(e));
    expect(failures.length).toBeGreaterThan(0);
    expect((failures[0] as Error).message).toMatch(/Could not (create folder|write) .*a/);
    await sink.abort();
    expect(readdirSync(parent)).toEqual([]);
  });
});
