/**
 * The browser sources and targets, run in Node with its standard Blob, File, WritableStream and
 * Response, and a FileSystemDirectoryHandle over a real folder: a zip Blob streamed out and read
 * back, a picked folder read and written, a dropped folder's files read. Each round trip is
 * lossless.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportMlruns, importMlruns } from "../../src/mlruns/index.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { directoryHandle, droppedFolder } from "./helpers/browser-fakes.js";
import { dumpStore } from "./helpers/dump.js";
import { FIXTURES, requireFixtures, tempDir } from "./helpers/fixtures.js";
import { richStore } from "./helpers/rich-store.js";

describe("mlruns in the browser (Blob, directory handle, dropped folder)", () => {
  const tmp = tempDir();
  afterAll(tmp.remove);
  let rich: MemoryStore;
  beforeAll(async () => {
    rich = (await richStore()).store;
  });

  it("exports a zip into a WritableStream, read back as a Blob", async () => {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const blob = new Response(readable).blob();
    const result = await exportMlruns(rich, writable, { artifactRoot: "file:///home/me/mlruns" });
    const zip = await blob;
    expect(result.runs).toBe(18);
    const into = new MemoryStore();
    await importMlruns(into, zip);
    expect(await dumpStore(into)).toEqual(await dumpStore(rich));
    const file = new File([zip], "bundle.zip");
    const e = await importMlruns(new MemoryStore(), file.slice(0, file.size - 10)).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/^Refusing zip Blob of \d+ bytes: it is not a zip file/);
  });

  it("writes into and reads from a FileSystemDirectoryHandle", async () => {
    const handle = directoryHandle(join(tmp.dir));
    await exportMlruns(rich, handle);
    expect(existsSync(join(tmp.dir, "mlruns", ".trash"))).toBe(true);
    const into = new MemoryStore();
    await importMlruns(into, directoryHandle(join(tmp.dir, "mlruns")));
    expect(await dumpStore(into)).toEqual(await dumpStore(rich));
    await expect(exportMlruns(rich, handle)).rejects.toThrow(/already has an mlruns folder/);
  });

  it("removes a half-written mlruns folder from the handle when cancelled", async () => {
    const controller = new AbortController();
    const dir = join(tmp.dir, "cancel");
    const handle = directoryHandle(tmp.dir);
    const sub = await handle.getDirectoryHandle("cancel", { create: true });
    await expect(exportMlruns(rich, sub, { signal: controller.signal, onProgress: (p) => p.done === 2 && controller.abort(new Error("no")) })).rejects.toThrow("no");
    expect(existsSync(join(dir, "mlruns"))).toBe(false);
  });

  it("reads a real MLflow store given as a dropped folder's files (and the same as a handle)", async () => {
    if (!requireFixtures()) return;
    const path = join(FIXTURES, "w4k2__increasing-depth-life-long");
    const fromPath = new MemoryStore();
    await importMlruns(fromPath, path);
    const fromFiles = new MemoryStore();
    const r = await importMlruns(fromFiles, droppedFolder(path));
    expect(r.imported.runs).toBe(16);
    expect(await dumpStore(fromFiles)).toEqual(await dumpStore(fromPath));
    const fromHandle = new MemoryStore();
    await importMlruns(fromHandle, directoryHandle(path));
    expect(await dumpStore(fromHandle)).toEqual(await dumpStore(fromPath));
  });
});
